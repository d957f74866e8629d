import type { NomadJob } from '../jobspec/nomad-job.js';
import type { NomadHttp } from './http.js';

export interface JobListStub {
  ID: string;
  Name: string;
  Namespace: string;
  Status: string;
  Type: string;
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

/** /v1/jobs, /v1/job/:id, /v1/validate/job */
export class Jobs {
  constructor(private readonly http: NomadHttp) {}
  /** GET /v1/jobs */
  list(query: { namespace?: string; prefix?: string } = {}): Promise<JobListStub[]> {
    return this.http.request('GET', '/v1/jobs', { query });
  }
  /** POST /v1/jobs */
  register(job: NomadJob): Promise<JobRegisterResponse> {
    return this.http.request('POST', '/v1/jobs', { body: { Job: job }, query: { namespace: job.Namespace } });
  }
  /** POST /v1/validate/job */
  validate(job: NomadJob): Promise<JobValidateResponse> {
    return this.http.request('POST', '/v1/validate/job', { body: { Job: job }, query: { namespace: job.Namespace } });
  }
  /** DELETE /v1/job/:id */
  deregister(id: string, query: { namespace?: string; purge?: boolean } = {}): Promise<{ EvalID: string }> {
    return this.http.request('DELETE', `/v1/job/${encodeURIComponent(id)}`, { query });
  }
  /** GET /v1/job/:id/allocations */
  allocations(id: string, query: { namespace?: string } = {}): Promise<AllocationListStub[]> {
    return this.http.request('GET', `/v1/job/${encodeURIComponent(id)}/allocations`, { query });
  }
}

export interface AllocationListStub {
  ID: string;
  JobID: string;
  Namespace: string;
  NodeID: string;
  ClientStatus: 'pending' | 'running' | 'complete' | 'failed' | 'lost' | 'unknown';
  DesiredStatus: string;
}
