import type { NomadHttp } from './http.js';

export interface ACLToken {
  AccessorID: string;
  SecretID: string;
  Name: string;
  Type: 'management' | 'client';
  Policies?: string[] | null;
}

export interface ACLPolicy {
  Name: string;
  Description: string;
  /** The policy in HCL. */
  Rules: string;
}

/** /v1/acl */
export class Acl {
  constructor(private readonly http: NomadHttp) {}
  /** POST /v1/acl/bootstrap: once per cluster; returns the management token. */
  bootstrap(): Promise<ACLToken> {
    return this.http.request('POST', '/v1/acl/bootstrap');
  }
  /** GET /v1/acl/token/self: the token the client uses. */
  self(): Promise<ACLToken> {
    return this.http.request('GET', '/v1/acl/token/self');
  }
  /** POST /v1/acl/policy/:name: creates or replaces a policy. */
  upsertPolicy(policy: ACLPolicy): Promise<void> {
    return this.http.request('POST', `/v1/acl/policy/${encodeURIComponent(policy.Name)}`, { body: policy, idempotent: true, capability: 'a management token' });
  }
  /** GET /v1/acl/policy/:name */
  policy(name: string): Promise<ACLPolicy> {
    return this.http.request('GET', `/v1/acl/policy/${encodeURIComponent(name)}`, { capability: 'a management token' });
  }
  /** POST /v1/acl/token: a new token. */
  createToken(token: { Name: string; Type: 'client' | 'management'; Policies: string[] }): Promise<ACLToken> {
    return this.http.request('POST', '/v1/acl/token', { body: token, capability: 'a management token' });
  }
  /** GET /v1/acl/token/:accessor */
  token(accessorId: string): Promise<ACLToken> {
    return this.http.request('GET', `/v1/acl/token/${accessorId}`, { capability: 'a management token' });
  }
  /** GET /v1/acl/tokens: every token, without its secret. */
  tokens(): Promise<(Omit<ACLToken, 'SecretID'> & { CreateTime: string })[]> {
    return this.http.request('GET', '/v1/acl/tokens', { capability: 'a management token' });
  }
  /** DELETE /v1/acl/token/:accessor */
  deleteToken(accessorId: string): Promise<void> {
    return this.http.request('DELETE', `/v1/acl/token/${encodeURIComponent(accessorId)}`, { capability: 'a management token' });
  }
}
