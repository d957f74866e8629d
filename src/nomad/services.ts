import type { Indexed, NomadHttp } from './http.js';

export interface ServiceRegistration {
  ID: string;
  ServiceName: string;
  Namespace: string;
  NodeID: string;
  JobID: string;
  AllocID: string;
  Tags: string[] | null;
  Address: string;
  Port: number;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface ServiceListStub {
  Namespace: string;
  Services: { ServiceName: string; Tags: string[] | null }[];
}

/** /v1/services and /v1/service/:name — Nomad's own service discovery. */
export class Services {
  constructor(private readonly http: NomadHttp) {}
  /** GET /v1/services?namespace=*, as a blocking query past `index`. */
  list(index = 0, waitSeconds = 5): Promise<Indexed<ServiceListStub[]>> {
    return this.http.blocking('/v1/services', index, waitSeconds, { query: { namespace: '*' }, capability: 'the read-job capability in every namespace' });
  }
  /** GET /v1/service/:name */
  registrations(name: string, namespace: string): Promise<ServiceRegistration[]> {
    return this.http.request('GET', `/v1/service/${encodeURIComponent(name)}`, { query: { namespace } });
  }
}
