import type { Indexed, NomadHttp } from './http.js';

export interface AllocationMetric {
  NodesEvaluated: number;
  NodesFiltered: number;
  NodesAvailable?: Record<string, number>;
  ClassFiltered?: Record<string, number> | null;
  ConstraintFiltered?: Record<string, number> | null;
  NodesExhausted: number;
  ClassExhausted?: Record<string, number> | null;
  DimensionExhausted?: Record<string, number> | null;
  QuotaExhausted?: string[] | null;
  CoalescedFailures: number;
}

export interface Evaluation {
  ID: string;
  Status: 'pending' | 'complete' | 'failed' | 'blocked' | 'canceled';
  StatusDescription: string;
  DeploymentID: string;
  FailedTGAllocs: Record<string, AllocationMetric> | null;
  BlockedEval: string;
  ModifyIndex: number;
}

/** /v1/evaluation/:id */
export class Evaluations {
  constructor(private readonly http: NomadHttp) {}
  /** GET /v1/evaluation/:id, as a blocking query past `index`. */
  read(id: string, namespace: string, index = 0, waitSeconds = 10): Promise<Indexed<Evaluation>> {
    return this.http.blocking(`/v1/evaluation/${id}`, index, waitSeconds, { query: { namespace } });
  }
}
