import { NomadError, type NomadHttp } from './http.js';

/** /v1/namespace */
export class Namespaces {
  constructor(private readonly http: NomadHttp) {}
  /** GET /v1/namespace/:name; undefined when there is none. */
  async read(name: string): Promise<{ Name: string; Description: string } | undefined> {
    try {
      return await this.http.request('GET', `/v1/namespace/${encodeURIComponent(name)}`);
    } catch (e) {
      if (e instanceof NomadError && e.status === 404) return undefined;
      throw e;
    }
  }
  /** POST /v1/namespace: creates or updates one. */
  upsert(name: string, description: string): Promise<void> {
    return this.http.request('POST', '/v1/namespace', { body: { Name: name, Description: description }, idempotent: true, capability: 'a management token' });
  }
}
