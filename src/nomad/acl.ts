import type { NomadHttp } from './http.js';

export interface ACLToken {
  AccessorID: string;
  SecretID: string;
  Name: string;
  Type: 'management' | 'client';
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
}
