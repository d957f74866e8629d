import type { AllocationRow, DeploymentRow, JobRow, NomadEvent } from './cluster-state.js';
import type { IngressRoute, SleepInfo } from './projects.js';

/** A call Nomad (or the console's proxy) refused or failed, in its own words. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What the router says a token may see of the ingress (GET /api/ingress). */
export interface Ingress {
  readonly routes: readonly IngressRoute[];
  readonly refused: readonly { readonly host: string; readonly claimant: string; readonly owner: string | undefined }[];
  readonly records: readonly { readonly host: string; readonly owner: string; readonly since: string }[];
  /** Jobs that may sleep: asleep or not, and their last request (older routers leave it out). */
  readonly sleep?: readonly SleepInfo[];
}

/**
 * Nomad's HTTP API at the console's own origin, with the visitor's token in X-Nomad-Token (never
 * in a URL, so no log line or history entry holds it). One method per call the page makes.
 */
export class NomadApi {
  constructor(private readonly token: string) {}

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(path, {
      method,
      headers: { 'X-Nomad-Token': this.token, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      cache: 'no-store',
    });
    const text = await response.text();
    if (!response.ok) throw new ApiError(response.status, describe(method, path, response.status, text));
    return (text ? JSON.parse(text) : undefined) as T;
  }

  self(): Promise<{ AccessorID: string; Name: string; Type: string; Policies: string[] | null }> {
    return this.request('GET', '/v1/acl/token/self');
  }
  namespaces(): Promise<{ Name: string }[]> {
    return this.request('GET', '/v1/namespaces');
  }
  jobs(): Promise<JobRow[]> {
    return this.request('GET', '/v1/jobs?namespace=*&meta=true');
  }
  job(namespace: string, id: string): Promise<Record<string, unknown> & { ID: string; Version: number; JobModifyIndex: number; Meta?: Record<string, string> | null; Stop: boolean }> {
    return this.request('GET', `/v1/job/${encodeURIComponent(id)}?namespace=${encodeURIComponent(namespace)}`);
  }
  versions(namespace: string, id: string): Promise<{ Versions: { Version: number; Stable: boolean; SubmitTime: number; Meta?: Record<string, string> | null }[] }> {
    return this.request('GET', `/v1/job/${encodeURIComponent(id)}/versions?namespace=${encodeURIComponent(namespace)}`);
  }
  deployments(): Promise<DeploymentRow[]> {
    return this.request('GET', '/v1/deployments?namespace=*');
  }
  allocations(): Promise<AllocationRow[]> {
    return this.request('GET', '/v1/allocations?namespace=*');
  }
  ingress(): Promise<Ingress> {
    return this.request('GET', '/api/ingress');
  }
  nodes(): Promise<NodeRow[]> {
    return this.request('GET', '/v1/nodes?resources=true');
  }
  nodeStats(nodeId: string): Promise<{ CPUTicksConsumed: number; Memory: { Used: number; Total: number } }> {
    return this.request('GET', `/v1/client/stats?node_id=${encodeURIComponent(nodeId)}`);
  }
  allocatedResources(): Promise<{ NodeID: string; ClientStatus: string; AllocatedResources?: { Tasks?: Record<string, { Cpu?: { CpuShares?: number }; Memory?: { MemoryMB?: number } }> } | null }[]> {
    return this.request('GET', '/v1/allocations?namespace=*&resources=true');
  }

  /** Stops a job and purges it: a review app's end. */
  stop(namespace: string, id: string): Promise<{ EvalID: string }> {
    return this.request('DELETE', `/v1/job/${encodeURIComponent(id)}?namespace=${encodeURIComponent(namespace)}&purge=true`);
  }
  /** Registers `version` again as the newest, only if the job is still at `current`. */
  revert(namespace: string, id: string, version: number, current: number): Promise<{ EvalID: string; JobModifyIndex: number }> {
    return this.request('POST', `/v1/job/${encodeURIComponent(id)}/revert?namespace=${encodeURIComponent(namespace)}`, { JobID: id, JobVersion: version, EnforcePriorVersion: current, Namespace: namespace });
  }
  /** Submits the job's spec again as a new version (as `nom` resubmits: a mark in its meta), so Nomad places fresh allocations. */
  async restart(namespace: string, id: string): Promise<{ EvalID: string; JobModifyIndex: number }> {
    const job = await this.job(namespace, id);
    const again = { ...job, Stop: false, Meta: { ...(job.Meta ?? {}), nom_resubmitted: new Date().toISOString() } };
    return this.request('POST', `/v1/job/${encodeURIComponent(id)}?namespace=${encodeURIComponent(namespace)}`, { Job: again, EnforceIndex: true, JobModifyIndex: job.JobModifyIndex });
  }

  /**
   * Follows Nomad's event stream of jobs, deployments and allocations in `namespace` from
   * `index`, calling `onEvents` with each frame, until `signal` aborts or the stream ends (the
   * promise then settles, and the caller reads afresh and follows again).
   */
  async events(namespace: string, index: number, onEvents: (events: NomadEvent[]) => void, signal: AbortSignal): Promise<void> {
    const query = `namespace=${encodeURIComponent(namespace)}&index=${index}&topic=Job&topic=Deployment&topic=Allocation`;
    await this.stream(`/v1/event/stream?${query}`, signal, (line) => {
      const frame = JSON.parse(line) as { Events?: NomadEvent[] };
      if (frame.Events?.length) onEvents(frame.Events);
    });
  }

  /** Follows a task's log (stdout or stderr) from its last 16 KiB on, calling `onText` with each piece. */
  async logs(allocId: string, task: string, type: 'stdout' | 'stderr', onText: (text: string) => void, signal: AbortSignal): Promise<void> {
    const query = `task=${encodeURIComponent(task)}&type=${type}&follow=true&origin=end&offset=16384`;
    const decoder = new TextDecoder();
    await this.stream(`/v1/client/fs/logs/${encodeURIComponent(allocId)}?${query}`, signal, (line) => {
      const frame = JSON.parse(line) as { Data?: string };
      if (frame.Data) onText(decoder.decode(Uint8Array.from(atob(frame.Data), (c) => c.charCodeAt(0)), { stream: true }));
    });
  }

  /** Reads a streamed response of JSON objects one by one (Nomad writes them back to back, or one per line). */
  private async stream(path: string, signal: AbortSignal, onObject: (json: string) => void): Promise<void> {
    const response = await fetch(path, { headers: { 'X-Nomad-Token': this.token }, signal, cache: 'no-store' });
    if (!response.ok || !response.body) throw new ApiError(response.status, describe('GET', path, response.status, await response.text()));
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffered += value;
      let end: number;
      while ((end = objectEnd(buffered)) > 0) {
        const json = buffered.slice(0, end).trim();
        buffered = buffered.slice(end);
        if (json && json !== '{}') onObject(json);
      }
    }
  }
}

/** Where the first complete JSON object in `text` ends (0 while none is complete). */
function objectEnd(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return 0;
}

/** A refused or failed call in words a person can act on. */
function describe(method: string, path: string, status: number, body: string): string {
  const said = body.trim().slice(0, 300);
  // Nomad answers an unknown token with 403 on most calls, 404 on token/self.
  if (/ACL token not found/i.test(said)) return 'Nomad refuses this token: it does not know it (mistyped, revoked or expired?)';
  if (status === 403 && /Permission denied/i.test(said)) return `this token may not ${method} ${path.split('?')[0]} (Nomad: ${said})`;
  if (status === 403) return `${method} ${path.split('?')[0]}: ${said || 'forbidden'}`;
  if (status === 502 || status === 503 || status === 504) return `Nomad does not answer behind the console (${status}); is the cluster up?`;
  return `${method} ${path.split('?')[0]}: Nomad answered ${status}${said ? `: ${said}` : ''}`;
}

export interface NodeRow {
  readonly ID: string;
  readonly Name: string;
  readonly Address: string;
  readonly Status: string;
  readonly SchedulingEligibility: string;
  readonly Drain: boolean;
  readonly Version: string;
  readonly Datacenter: string;
  readonly NodeResources?: { Cpu?: { CpuShares?: number }; Memory?: { MemoryMB?: number } } | null;
  readonly ReservedResources?: { Cpu?: { CpuShares?: number }; Memory?: { MemoryMB?: number } } | null;
}
