import http from 'node:http';

/** Caddy's admin API: load a whole configuration, read the current one. */
export class CaddyAdmin {
  /** `unix:/path/to/admin.sock`, or an http:// URL. */
  constructor(readonly address: string) {}

  private call(method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
    const where = this.address.startsWith('unix:') ? { socketPath: this.address.slice('unix:'.length), path } : new URL(path, this.address);
    return new Promise((resolve, reject) => {
      const req = http.request({ ...(where instanceof URL ? { host: where.hostname, port: where.port, path: where.pathname } : where), method, headers: body ? { 'Content-Type': 'application/json' } : {}, timeout: 10_000 }, (res) => {
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

  /** GET /config/: the running configuration (null when Caddy started empty). */
  async config(): Promise<unknown> {
    const res = await this.call('GET', '/config/');
    if (res.status !== 200) throw new Error(`GET /config/ answered ${res.status}`);
    return JSON.parse(res.text || 'null');
  }
}
