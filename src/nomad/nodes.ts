import type { NomadHttp } from './http.js';

export interface NodeListStub {
  ID: string;
  Name: string;
  Address: string;
  Datacenter: string;
  Version: string;
  Status: 'initializing' | 'ready' | 'down' | 'disconnected';
  SchedulingEligibility: string;
  Drain: boolean;
  Drivers?: Record<string, DriverInfo>;
  /** With ?resources=true. */
  NodeResources?: { Cpu: { CpuShares: number }; Memory: { MemoryMB: number } };
  ReservedResources?: { Cpu: { CpuShares: number }; Memory: { MemoryMB: number } };
}

export interface NodeDetail {
  ID: string;
  Name: string;
  HostVolumes?: Record<string, { Name: string; Path: string; ReadOnly: boolean }> | null;
  /** What the client fingerprinted: `consul.version` once it found Consul, and so on. */
  Attributes?: Record<string, string> | null;
}

export interface DriverInfo {
  Attributes?: Record<string, string> | null;
  Detected: boolean;
  Healthy: boolean;
  HealthDescription: string;
}

/** How a node drains: Deadline in nanoseconds, negative to stop its allocations at once. */
export interface DrainSpec {
  Deadline: number;
  IgnoreSystemJobs: boolean;
}

/** What a node's allocation reserves, per task (from GET /v1/node/:id/allocations). */
export interface NodeAllocation {
  ID: string;
  JobID: string;
  ClientStatus: string;
  AllocatedResources?: { Tasks?: Record<string, { Cpu?: { CpuShares: number }; Memory?: { MemoryMB: number; MemoryMaxMB?: number } }> } | null;
}

/** GET /v1/client/stats: the host's own measurements. */
export interface HostStats {
  Memory: { Total: number; Available: number; Used: number; Free: number };
  CPU: { CPU: string; TotalPercent: number }[] | null;
  CPUTicksConsumed: number;
  Uptime: number;
}

/** /v1/nodes, /v1/node/:id and the client's /v1/client/stats */
export class Nodes {
  constructor(private readonly http: NomadHttp) {}
  /** GET /v1/nodes (with drivers and resources). */
  list(): Promise<NodeListStub[]> {
    return this.http.request('GET', '/v1/nodes', { query: { resources: true }, capability: 'the node:read capability' });
  }
  /** GET /v1/node/:id: the node, with the host volumes its client offers. */
  read(id: string): Promise<NodeDetail> {
    return this.http.request('GET', `/v1/node/${id}`, { capability: 'the node:read capability' });
  }
  /** GET /v1/node/:id/allocations */
  allocations(id: string): Promise<NodeAllocation[]> {
    return this.http.request('GET', `/v1/node/${id}/allocations`, { capability: 'the node:read capability' });
  }
  /**
   * PUT /v1/node/:id/drain. A negative Deadline stops every allocation at once (the CLI's
   * -force); a null spec ends a drain, and MarkEligible lets the scheduler place on it again.
   */
  drain(id: string, spec: DrainSpec | null, markEligible = false): Promise<unknown> {
    return this.http.request('PUT', `/v1/node/${id}/drain`, { body: { DrainSpec: spec, MarkEligible: markEligible }, capability: 'the node:write capability' });
  }
  /** PUT /v1/client/gc?node_id=: the node's client collects its finished allocations (in the background). */
  collectGarbage(id: string): Promise<unknown> {
    return this.http.request('PUT', '/v1/client/gc', { query: { node_id: id }, capability: 'the node:write capability' });
  }
  /** GET /v1/client/stats?node_id=: memory and CPU as the node measures them. */
  stats(id: string): Promise<HostStats> {
    return this.http.request('GET', '/v1/client/stats', { query: { node_id: id }, capability: 'the node:read capability' });
  }
}
