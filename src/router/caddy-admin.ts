import http from 'node:http';
import type { UpstreamTable } from './upstream-table.js';

const WITHOUT_MODULE = 'this Caddy has no /nom/upstreams: it was not built with nom\'s module (scripts/build-caddy.sh builds one)';

/** Caddy's admin API: load a whole configuration, read the current one; and nom's module's upstream table. */
export class CaddyAdmin {
  /** `unix:/path/to/admin.sock`, or an http:// URL. */
  constructor(readonly address: string) {}

  private call(method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
    const where = this.address.startsWith('unix:') ? { socketPath: this.address.slice('unix:'.length), path } : new URL(path, this.address);
    return new Promise((resolve, reject) => {
      // A connection of its own each time: Caddy's admin server closes idle ones, and bench:scale,
      // asking every 5 ms over kept-alive connections, died of an EPIPE on one it had just closed.
      const req = http.request({ ...(where instanceof URL ? { host: where.hostname, port: where.port, path: where.pathname } : where), agent: false, method, headers: body ? { 'Content-Type': 'application/json' } : {}, timeout: 10_000 }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** POST /load: replaces the whole configuration atomically; Caddy keeps the old one on error. */
  async load(config: unknown): Promise<void> {
    const res = await this.call('POST', '/load', JSON.stringify(config));
    if (res.status !== 200) throw new Error(`Caddy refused the configuration (${res.status}): ${res.text.trim().slice(0, 500)}`);
  }

  /** GET /id/:id: whether the running configuration has an object tagged "@id": id (a cheap check, whatever the document's size). */
  async has(id: string): Promise<boolean> {
    const res = await this.call('GET', `/id/${encodeURIComponent(id)}`);
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw new Error(`GET /id/${id} answered ${res.status}`);
  }

  /** PUT /nom/upstreams: replaces the upstream table of nom's module (caddy/upstreams.go); no configuration load. */
  async putUpstreams(table: UpstreamTable): Promise<void> {
    const res = await this.call('PUT', '/nom/upstreams', JSON.stringify(table));
    if (res.status === 404) throw new Error(WITHOUT_MODULE);
    if (res.status !== 204) throw new Error(`Caddy refused the upstream table (${res.status}): ${res.text.trim().slice(0, 500)}`);
  }

  /** GET /nom/upstreams: the table Caddy holds ("" as id after it starts). */
  async upstreams(): Promise<UpstreamTable> {
    const res = await this.call('GET', '/nom/upstreams');
    if (res.status !== 200) throw new Error(`GET /nom/upstreams answered ${res.status}`);
    return JSON.parse(res.text) as UpstreamTable;
  }

  /** GET /nom/requests: the id of the table Caddy holds, and when each route last had a request (ms since the epoch). */
  async requests(): Promise<{ id: string; last: Record<string, number> }> {
    const res = await this.call('GET', '/nom/requests');
    if (res.status === 404) throw new Error(WITHOUT_MODULE);
    if (res.status !== 200) throw new Error(`GET /nom/requests answered ${res.status}`);
    return JSON.parse(res.text) as { id: string; last: Record<string, number> };
  }

  /** GET /config/: the running configuration (null when Caddy started empty). */
  async config(): Promise<unknown> {
    const res = await this.call('GET', '/config/');
    if (res.status !== 200) throw new Error(`GET /config/ answered ${res.status}`);
    return JSON.parse(res.text || 'null');
  }
}
