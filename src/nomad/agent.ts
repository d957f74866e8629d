import type { NomadHttp } from './http.js';

export interface AgentMember {
  Name: string;
  Addr: string;
  Port: number;
  /** alive, failed, left */
  Status: string;
  Tags: Record<string, string>;
}

/** /v1/agent and /v1/status */
export class Agent {
  constructor(private readonly http: NomadHttp) {}
  /** GET /v1/status/leader: the leader's RPC address, "" while there is none. */
  leader(): Promise<string> {
    return this.http.request('GET', '/v1/status/leader', { timeoutMs: 5_000 });
  }
  /** GET /v1/agent/members: the servers, as gossip sees them. */
  members(): Promise<{ Members: AgentMember[] }> {
    return this.http.request('GET', '/v1/agent/members', { capability: 'the agent:read capability' });
  }
  /** GET /v1/agent/keyring/list: the gossip keys (a management token); none when gossip is not encrypted. */
  keyring(): Promise<{ Keys: Record<string, number> | null }> {
    return this.http.request('GET', '/v1/agent/keyring/list', { capability: 'a management token' });
  }
  /** GET /v1/agent/self */
  self(): Promise<{ config: { Version: { Version: string } }; member: { Name: string } }> {
    return this.http.request('GET', '/v1/agent/self', { timeoutMs: 5_000 });
  }
}
