import type { NomadJob } from '../jobspec/nomad-job.js';
import { NomadError, type Indexed, type NomadHttp, type RequestOptions } from './http.js';

export interface JobListStub {
  ID: string;
  Name: string;
  Namespace: string;
  Status: string;
  Type: string;
  SubmitTime: number;
  Stop: boolean;
  CreateIndex: number;
  ModifyIndex: number;
  JobModifyIndex: number;
  Meta?: Record<string, string> | null;
}

export interface JobRegisterResponse {
  EvalID: string;
  JobModifyIndex: number;
  Warnings: string;
}

export interface JobValidateResponse {
  DriverConfigValidated: boolean;
  ValidationErrors: string[] | null;
  Error: string;
  Warnings: string;
}

/** A job as Nomad returns it: ours, plus what Nomad keeps about it. */
export type RegisteredJob = NomadJob & { Version: number; Status: string; Stop: boolean; Stable: boolean; JobModifyIndex: number; SubmitTime: number };

export interface FieldDiff {
  Type: 'Added' | 'Deleted' | 'Edited' | 'None';
  Name: string;
  Old: string;
  New: string;
}

export interface ObjectDiff {
  Type: 'Added' | 'Deleted' | 'Edited' | 'None';
  Name: string;
  Fields: FieldDiff[] | null;
  Objects: ObjectDiff[] | null;
}

export interface TaskGroupDiff extends ObjectDiff {
  Tasks: (ObjectDiff & { Annotations?: string[] | null })[] | null;
  Updates?: Record<string, number> | null;
}

export interface JobDiff extends ObjectDiff {
  ID: string;
  TaskGroups: TaskGroupDiff[] | null;
}

export interface JobPlanResponse {
  JobModifyIndex: number;
  Diff: JobDiff | null;
  FailedTGAllocs: Record<string, import('./evaluations.js').AllocationMetric> | null;
  Annotations: { DesiredTGUpdates: Record<string, Record<string, number>> } | null;
  Warnings: string;
}

export interface JobSummary {
  Summary: Record<string, { Queued: number; Complete: number; Failed: number; Running: number; Starting: number; Lost: number }>;
}

const submit = (ns: string) => `the submit-job capability in namespace "${ns}"`;
const read = (ns: string) => `the read-job capability in namespace "${ns}"`;

/** /v1/jobs, /v1/job/:id, /v1/validate/job */
export class Jobs {
  constructor(private readonly http: NomadHttp) {}
  /** GET /v1/jobs */
  list(query: { namespace?: string; prefix?: string; meta?: boolean } = {}): Promise<JobListStub[]> {
    return this.http.request('GET', '/v1/jobs', { query, capability: read(query.namespace ?? 'default') });
  }
  /** GET /v1/jobs as a blocking query: answers once the job list's index passes `index`. */
  listBlocking(query: { namespace?: string }, index: number, waitSeconds = 300): Promise<Indexed<JobListStub[]>> {
    return this.http.blocking('/v1/jobs', index, waitSeconds, { query, capability: read(query.namespace ?? 'default') });
  }
  /** GET /v1/job/:id; undefined when there is no such job. */
  async read(id: string, namespace: string): Promise<RegisteredJob | undefined> {
    try {
      return await this.http.request('GET', `/v1/job/${encodeURIComponent(id)}`, { query: { namespace }, capability: read(namespace) });
    } catch (e) {
      if (e instanceof NomadError && e.status === 404) return undefined;
      throw e;
    }
  }
  /** POST /v1/jobs; with `enforceIndex`, only if the job is still at that modify index. */
  /**
   * POST /v1/jobs. With `enforceIndex` the write is safe to repeat (Nomad refuses it once the
   * job moved on), so it is retried through a leader election (about 30 s), telling `onRetry`.
   */
  register(job: NomadJob, enforceIndex?: number, onRetry?: RequestOptions['onRetry']): Promise<JobRegisterResponse> {
    const body = enforceIndex === undefined ? { Job: job } : { Job: job, EnforceIndex: true, JobModifyIndex: enforceIndex };
    const retried = enforceIndex === undefined ? {} : { idempotent: true, attempts: 10, onRetry };
    return this.http.request('POST', '/v1/jobs', { body, query: { namespace: job.Namespace }, capability: submit(job.Namespace), ...retried });
  }
  /** GET /v1/job/:id/evaluations, newest first. */
  async evaluations(id: string, namespace: string): Promise<{ ID: string; CreateIndex: number; JobModifyIndex: number }[]> {
    const list = await this.http.request<{ ID: string; CreateIndex: number; JobModifyIndex: number }[]>('GET', `/v1/job/${encodeURIComponent(id)}/evaluations`, { query: { namespace }, capability: read(namespace) });
    return list.sort((a, b) => b.CreateIndex - a.CreateIndex);
  }
  /** POST /v1/job/:id/plan with a diff. */
  plan(job: NomadJob): Promise<JobPlanResponse> {
    return this.http.request('POST', `/v1/job/${encodeURIComponent(job.ID)}/plan`, {
      body: { Job: job, Diff: true },
      query: { namespace: job.Namespace },
      idempotent: true,
      capability: submit(job.Namespace),
    });
  }
  /** POST /v1/validate/job */
  validate(job: NomadJob): Promise<JobValidateResponse> {
    return this.http.request('POST', '/v1/validate/job', { body: { Job: job }, query: { namespace: job.Namespace }, idempotent: true });
  }
  /** POST /v1/jobs/parse: HCL → job JSON, with HCL2 variables given as var-file text. */
  parse(hcl: string, variables: string): Promise<NomadJob> {
    return this.http.request('POST', '/v1/jobs/parse', { body: { JobHCL: hcl, Canonicalize: false, Variables: variables }, idempotent: true });
  }
  /** DELETE /v1/job/:id */
  deregister(id: string, query: { namespace?: string; purge?: boolean } = {}): Promise<{ EvalID: string }> {
    return this.http.request('DELETE', `/v1/job/${encodeURIComponent(id)}`, { query, capability: submit(query.namespace ?? 'default') });
  }
  /** GET /v1/job/:id/allocations */
  allocations(id: string, query: { namespace?: string } = {}): Promise<AllocationListStub[]> {
    return this.http.request('GET', `/v1/job/${encodeURIComponent(id)}/allocations`, { query, capability: read(query.namespace ?? 'default') });
  }
  /** GET /v1/job/:id/allocations as a blocking query: answers once they change past `index`. */
  allocationsBlocking(id: string, namespace: string, index: number, waitSeconds = 60): Promise<Indexed<AllocationListStub[]>> {
    return this.http.blocking(`/v1/job/${encodeURIComponent(id)}/allocations`, index, waitSeconds, { query: { namespace }, capability: read(namespace) });
  }
  /** GET /v1/job/:id/deployment: the latest deployment, if any. */
  latestDeployment(id: string, namespace: string): Promise<import('./deployments.js').Deployment | null> {
    return this.http.request('GET', `/v1/job/${encodeURIComponent(id)}/deployment`, { query: { namespace }, capability: read(namespace) });
  }
  /** GET /v1/job/:id/versions: every kept version, newest first. */
  async versions(id: string, namespace: string): Promise<RegisteredJob[]> {
    const { Versions } = await this.http.request<{ Versions: RegisteredJob[] }>('GET', `/v1/job/${encodeURIComponent(id)}/versions`, { query: { namespace }, capability: read(namespace) });
    return Versions;
  }
  /** POST /v1/job/:id/revert to `version`; with `enforcePriorVersion`, only if the job is still at that version. */
  revert(id: string, namespace: string, version: number, enforcePriorVersion?: number): Promise<JobRegisterResponse> {
    return this.http.request('POST', `/v1/job/${encodeURIComponent(id)}/revert`, {
      body: { JobID: id, JobVersion: version, ...(enforcePriorVersion === undefined ? {} : { EnforcePriorVersion: enforcePriorVersion }), Namespace: namespace },
      query: { namespace },
      capability: submit(namespace),
    });
  }
  /** POST /v1/job/:id/scale: one group to `count`; Nomad keeps the event (with its previous count) in the job's scaling history. */
  scale(id: string, namespace: string, group: string, count: number, message: string, meta?: Record<string, string>): Promise<{ EvalID: string; JobModifyIndex: number }> {
    return this.http.request('POST', `/v1/job/${encodeURIComponent(id)}/scale`, {
      body: { Count: count, Target: { Group: group }, Message: message, ...(meta ? { Meta: meta } : {}) },
      query: { namespace },
      capability: `the scale-job capability in namespace "${namespace}"`,
    });
  }
  /** GET /v1/job/:id/scale: each group's desired and running counts, and its scaling events (newest first). */
  scaleStatus(id: string, namespace: string): Promise<JobScaleStatus> {
    return this.http.request('GET', `/v1/job/${encodeURIComponent(id)}/scale`, { query: { namespace }, capability: read(namespace) });
  }
  /** GET /v1/job/:id/summary */
  summary(id: string, namespace: string): Promise<JobSummary> {
    return this.http.request('GET', `/v1/job/${encodeURIComponent(id)}/summary`, { query: { namespace }, capability: read(namespace) });
  }
}

export interface ScalingEvent {
  Count: number | null;
  PreviousCount: number;
  Message: string;
  Meta: Record<string, string> | null;
  Error: boolean;
  /** Nanoseconds since the epoch. */
  Time: number;
}

export interface JobScaleStatus {
  JobModifyIndex: number;
  TaskGroups: Record<string, { Desired: number; Running: number; Healthy: number; Events: ScalingEvent[] | null }>;
}

export interface AllocationListStub {
  ID: string;
  Name: string;
  JobID: string;
  JobVersion: number;
  Namespace: string;
  NodeID: string;
  NodeName?: string;
  TaskGroup: string;
  ClientStatus: 'pending' | 'running' | 'complete' | 'failed' | 'lost' | 'unknown';
  DesiredStatus: string;
  DeploymentStatus?: { Healthy?: boolean | null; Canary?: boolean } | null;
  TaskStates?: Record<string, { State: string; Failed: boolean; Restarts: number; StartedAt?: string | null }> | null;
  /** Nanoseconds since the epoch. */
  CreateTime: number;
  ModifyTime: number;
  CreateIndex?: number;
  ModifyIndex?: number;
  /** Only with `resources=true`: the ports and networks Nomad gave the allocation. */
  AllocatedResources?: AllocatedResources | null;
}

/** A port Nomad gave an allocation: `Value` on the node at `HostIP`, mapped to `To` inside. */
export interface AllocatedPort {
  Label: string;
  Value: number;
  To: number;
  HostIP: string;
}

export interface AllocatedNetwork {
  Mode?: string;
  IP: string;
  ReservedPorts?: { Label: string; Value: number; To: number }[] | null;
  DynamicPorts?: { Label: string; Value: number; To: number }[] | null;
}

export interface AllocatedResources {
  Shared?: { Ports?: AllocatedPort[] | null; Networks?: AllocatedNetwork[] | null } | null;
  /** Task-level networks (the older way to ask for ports). */
  Tasks?: Record<string, { Networks?: AllocatedNetwork[] | null }> | null;
}
