import type WebSocket from 'ws';
import type { Indexed, NomadHttp } from './http.js';
import type { AllocationListStub } from './jobs.js';

export interface TaskEvent {
  Type: string;
  Time: number;
  DisplayMessage: string;
  Details?: Record<string, string>;
}

export interface TaskState {
  State: 'pending' | 'running' | 'dead';
  Failed: boolean;
  Restarts: number;
  Events: TaskEvent[] | null;
}

export interface Allocation {
  ID: string;
  Name: string;
  JobID: string;
  Namespace: string;
  JobVersion?: number;
  ClientStatus: string;
  DesiredStatus: string;
  DeploymentStatus?: { Healthy?: boolean | null; Canary?: boolean } | null;
  TaskStates?: Record<string, TaskState> | null;
  AllocatedResources?: import('./jobs.js').AllocatedResources | null;
}

/** One result of GET /v1/client/allocation/:id/checks (Nomad-provider service checks). */
export interface CheckResult {
  ID: string;
  Check: string;
  Group: string;
  Mode: string;
  Output: string;
  Service: string;
  Status: 'success' | 'failure' | 'pending';
  StatusCode: number;
  Timestamp: number;
}

/** /v1/allocation, /v1/allocations and the client's /v1/client/allocation, /v1/client/fs */
export class Allocations {
  constructor(private readonly http: NomadHttp) {}
  /** GET /v1/allocations (all namespaces with namespace=*); `resources` adds each one's AllocatedResources. */
  list(query: { namespace?: string; task_states?: boolean; resources?: boolean } = {}): Promise<AllocationListStub[]> {
    return this.http.request('GET', '/v1/allocations', { query });
  }
  /** GET /v1/allocations as a blocking query: answers once the allocations' index passes `index`. */
  listBlocking(query: { namespace?: string }, index: number, waitSeconds = 300): Promise<Indexed<AllocationListStub[]>> {
    return this.http.blocking('/v1/allocations', index, waitSeconds, { query });
  }
  /** GET /v1/allocation/:id */
  read(id: string, query: { namespace?: string } = {}): Promise<Allocation> {
    return this.http.request('GET', `/v1/allocation/${encodeURIComponent(id)}`, { query });
  }
  /** GET /v1/client/allocation/:id/checks */
  async checks(id: string, namespace: string): Promise<Record<string, CheckResult>> {
    // Nomad answers null for an allocation whose checks are all Consul's.
    return (await this.http.request<Record<string, CheckResult> | null>('GET', `/v1/client/allocation/${id}/checks`, { query: { namespace }, capability: `read-job in namespace "${namespace}"` })) ?? {};
  }
  /**
   * GET /v1/client/fs/logs/:id, plain: a task's stdout or stderr as text, from `offset` bytes
   * after the start or before the end; with `follow`, it goes on until the task's log ends or
   * `signal` aborts it.
   */
  logs(
    id: string,
    query: { task: string; type: 'stdout' | 'stderr'; namespace: string; origin: 'start' | 'end'; offset: number; follow: boolean },
    onText: (text: string) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const { namespace, ...rest } = query;
    return this.http.stream(`/v1/client/fs/logs/${id}`, { query: { ...rest, namespace, plain: true }, capability: `read-logs in namespace "${namespace}"`, idleTimeoutMs: 0, ...(signal ? { signal } : {}) }, onText);
  }
  /**
   * GET /v1/client/allocation/:id/exec: a websocket running `command` in `task`. Frames are JSON:
   * ours `{"stdin":{"data":base64}}`, `{"stdin":{"close":true}}`, `{"tty_size":{…}}`; Nomad's
   * `{"stdout":{"data":…}}`, `{"stderr":{…}}`, `{"exited":true,"result":{"exit_code":N}}`.
   */
  exec(id: string, query: { task: string; command: readonly string[]; tty: boolean; namespace: string }): WebSocket {
    return this.http.websocket(`/v1/client/allocation/${id}/exec`, { task: query.task, tty: String(query.tty), command: JSON.stringify(query.command), namespace: query.namespace });
  }
  /** GET /v1/client/fs/logs/:id: the last `bytes` of a task's stdout or stderr, as text. */
  logsTail(id: string, task: string, type: 'stdout' | 'stderr', namespace: string, bytes = 16_384): Promise<string> {
    return this.http.request('GET', `/v1/client/fs/logs/${id}`, {
      query: { namespace, task, type, origin: 'end', offset: bytes, plain: true },
      text: true,
      capability: `read-logs in namespace "${namespace}"`,
    });
  }
}
