import type { NomadHttp } from './http.js';

export interface NodeListStub {
  ID: string;
  Name: string;
  Status: 'initializing' | 'ready' | 'down' | 'disconnected';
  SchedulingEligibility: string;
  Drivers?: Record<string, DriverInfo>;
}

export interface DriverInfo {
  Detected: boolean;
  Healthy: boolean;
  HealthDescription: string;
}

/** /v1/nodes and /v1/node */
export class Nodes {
  constructor(private readonly http: NomadHttp) {}
  /** GET /v1/nodes (with driver details). */
  list(): Promise<NodeListStub[]> {
    return this.http.request('GET', '/v1/nodes', { query: { resources: true } });
  }
}
