import { NomadError, type NomadHttp } from './http.js';

export interface Variable {
  Namespace: string;
  Path: string;
  Items: Record<string, string>;
  ModifyIndex: number;
}

export interface VariableMetadata {
  Namespace: string;
  Path: string;
  ModifyIndex: number;
}

const capability = (ns: string, path: string, op: string) => `variables ${op} on ${path} in namespace "${ns}"`;

/** /v1/var/:path — Nomad Variables, with check-and-set. */
export class Variables {
  constructor(private readonly http: NomadHttp) {}

  /** GET /v1/var/:path; undefined when there is none. */
  async read(path: string, namespace: string): Promise<Variable | undefined> {
    try {
      return await this.http.request<Variable>('GET', `/v1/var/${path}`, { query: { namespace }, capability: capability(namespace, path, 'read') });
    } catch (e) {
      if (e instanceof NomadError && e.status === 404) return undefined;
      throw e;
    }
  }

  /**
   * PUT /v1/var/:path?cas=N: writes only if the variable is still at index N (0: does not
   * exist yet). Returns undefined on a conflict (409), the new variable otherwise.
   */
  async write(path: string, namespace: string, items: Record<string, string>, cas: number): Promise<Variable | undefined> {
    try {
      return await this.http.request<Variable>('PUT', `/v1/var/${path}`, {
        // Check-and-set makes a repeat harmless: retried through a leader election.
        idempotent: true,
        attempts: 10,
        query: { namespace, cas },
        body: { Namespace: namespace, Path: path, Items: items },
        capability: capability(namespace, path, 'write'),
      });
    } catch (e) {
      if (e instanceof NomadError && e.status === 409) return undefined;
      throw e;
    }
  }

  /**
   * PUT /v1/var/:path without check-and-set: replaces the variable whole. For a writer that may
   * not read it (a CI token and a job's secrets), which Nomad answers with metadata only.
   */
  async put(path: string, namespace: string, items: Record<string, string>): Promise<void> {
    await this.http.request<unknown>('PUT', `/v1/var/${path}`, {
      idempotent: true,
      attempts: 10,
      query: { namespace },
      body: { Namespace: namespace, Path: path, Items: items },
      capability: capability(namespace, path, 'write'),
    });
  }

  /** GET /v1/vars?prefix=: the variables under a path (metadata only, no items), with the list's index. */
  async list(prefix: string, namespace: string): Promise<VariableMetadata[]> {
    return this.http.request<VariableMetadata[]>('GET', '/v1/vars', { query: { prefix, namespace }, capability: capability(namespace, `${prefix}*`, 'list') });
  }

  /** DELETE /v1/var/:path?cas=N; false on a conflict. */
  async delete(path: string, namespace: string, cas?: number): Promise<boolean> {
    try {
      await this.http.request('DELETE', `/v1/var/${path}`, { query: { namespace, cas }, capability: capability(namespace, path, 'destroy') });
      return true;
    } catch (e) {
      if (e instanceof NomadError && e.status === 409) return false;
      if (e instanceof NomadError && e.status === 404) return true;
      throw e;
    }
  }
}
