import type { NomadHttp } from './http.js';

/** /v1/agent and /v1/status */
export class Agent {
  constructor(private readonly http: NomadHttp) {}
  /** GET /v1/status/leader: the leader's RPC address, "" while there is none. */
  leader(): Promise<string> {
    return this.http.request('GET', '/v1/status/leader', { timeoutMs: 5_000 });
  }
  /** GET /v1/agent/self */
  self(): Promise<{ config: { Version: { Version: string } }; member: { Name: string } }> {
    return this.http.request('GET', '/v1/agent/self', { timeoutMs: 5_000 });
  }
}
