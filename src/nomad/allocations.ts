import type { NomadHttp } from './http.js';

export interface Allocation {
  ID: string;
  JobID: string;
  ClientStatus: string;
  DeploymentStatus?: { Healthy?: boolean; Canary?: boolean };
  AllocatedResources?: {
    Shared?: { Ports?: { Label: string; Value: number; To: number; HostIP: string }[] };
  };
}

/** /v1/allocations and /v1/allocation/:id */
export class Allocations {
  constructor(private readonly http: NomadHttp) {}
  /** GET /v1/allocations (all namespaces with namespace=*). */
  list(query: { namespace?: string } = {}): Promise<{ ID: string; JobID: string; Namespace: string; ClientStatus: string }[]> {
    return this.http.request('GET', '/v1/allocations', { query });
  }
  /** GET /v1/allocation/:id */
  read(id: string, query: { namespace?: string } = {}): Promise<Allocation> {
    return this.http.request('GET', `/v1/allocation/${encodeURIComponent(id)}`, { query });
  }
}
