import type { Indexed, NomadHttp } from './http.js';

export interface DeploymentState {
  AutoRevert: boolean;
  AutoPromote: boolean;
  Promoted: boolean;
  PlacedCanaries: string[] | null;
  DesiredCanaries: number;
  DesiredTotal: number;
  PlacedAllocs: number;
  HealthyAllocs: number;
  UnhealthyAllocs: number;
}

export interface Deployment {
  ID: string;
  JobID: string;
  JobVersion: number;
  Status: 'running' | 'paused' | 'failed' | 'successful' | 'cancelled' | 'pending' | 'blocked' | 'unblocking' | 'initializing';
  StatusDescription: string;
  TaskGroups: Record<string, DeploymentState>;
  ModifyIndex: number;
}

export interface DeploymentAllocation {
  ID: string;
  Name: string;
  ClientStatus: string;
  DeploymentStatus?: { Healthy?: boolean | null; Canary?: boolean } | null;
  JobVersion: number;
}

/** /v1/deployment/:id */
export class Deployments {
  constructor(private readonly http: NomadHttp) {}
  /** GET /v1/deployment/:id, as a blocking query past `index`. */
  read(id: string, namespace: string, index = 0, waitSeconds = 10): Promise<Indexed<Deployment>> {
    return this.http.blocking(`/v1/deployment/${id}`, index, waitSeconds, { query: { namespace } });
  }
  /** GET /v1/deployment/allocations/:id */
  allocations(id: string, namespace: string): Promise<DeploymentAllocation[]> {
    return this.http.request('GET', `/v1/deployment/allocations/${id}`, { query: { namespace } });
  }
}
