import type { ConsulConfig } from './config.js';
import { ConsulHttp, type ConsulIndexed } from './http.js';

export interface HealthCheck {
  Node: string;
  CheckID: string;
  Name: string;
  Status: 'passing' | 'warning' | 'critical' | 'maintenance';
  Output: string;
  ServiceID: string;
  ServiceName: string;
}

export interface ServiceEntry {
  Node: { Node: string; Address: string };
  Service: { ID: string; Service: string; Tags: string[] | null; Address: string; Port: number; CreateIndex: number; ModifyIndex: number };
  Checks: HealthCheck[];
}

export interface AclToken {
  AccessorID: string;
  SecretID: string;
  Description: string;
}

/**
 * The parts of Consul's HTTP API that nom uses, one method per endpoint, as in Consul's own
 * `api` package. Blocking queries return the index to pass to the next call.
 */
export class ConsulClient {
  readonly http: ConsulHttp;
  constructor(config: ConsulConfig) {
    this.http = new ConsulHttp(config);
  }

  readonly status = {
    /** GET /v1/status/leader: "" until a leader is elected. */
    leader: () => this.http.request<string>('GET', '/v1/status/leader'),
  };

  readonly catalog = {
    /** GET /v1/catalog/services: service name → tags; blocks past `index`. */
    services: (index = 0, wait = 300, signal?: AbortSignal) => this.http.blocking<Record<string, string[]>>('/v1/catalog/services', index, wait, signal),
  };

  readonly health = {
    /** GET /v1/health/service/:name: every instance with its node's and its own checks. */
    service: (name: string): Promise<ConsulIndexed<ServiceEntry[]>> => this.http.indexed('GET', `/v1/health/service/${encodeURIComponent(name)}`),
    /** GET /v1/health/state/any: every check; blocks past `index` (any check's status changed). */
    state: (index = 0, wait = 300, signal?: AbortSignal) => this.http.blocking<HealthCheck[]>('/v1/health/state/any', index, wait, signal),
  };

  readonly acl = {
    /** PUT /v1/acl/bootstrap: the first management token, once per cluster. */
    bootstrap: () => this.http.request<AclToken>('PUT', '/v1/acl/bootstrap'),
    /** PUT /v1/acl/policy */
    createPolicy: (policy: { Name: string; Description: string; Rules: string }) => this.http.request<{ ID: string }>('PUT', '/v1/acl/policy', policy),
    /** PUT /v1/acl/token */
    createToken: (description: string, policies: readonly string[]) =>
      this.http.request<AclToken>('PUT', '/v1/acl/token', { Description: description, Policies: policies.map((Name) => ({ Name })) }),
    /** GET /v1/acl/token/self: the token in use, or 403 when Consul does not know it. */
    self: () => this.http.request<AclToken>('GET', '/v1/acl/token/self'),
  };

  readonly agent = {
    /** PUT /v1/agent/token/agent: the token the agent itself uses (its node's registration). */
    setAgentToken: (token: string) => this.http.request<void>('PUT', '/v1/agent/token/agent', { Token: token }),
  };

  close(): void {
    this.http.close();
  }
}
