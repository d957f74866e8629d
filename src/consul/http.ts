import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { ConsulConfig } from './config.js';

/** A failed call to Consul: which call, and Consul's own words. */
export class ConsulError extends Error {
  override name = 'ConsulError';
  constructor(
    readonly call: string,
    readonly status: number | undefined,
    readonly body: string,
    readonly code?: string,
  ) {
    super(
      status === undefined
        ? `cannot reach Consul: ${call} failed (${code ?? body}); is CONSUL_HTTP_ADDR right and the agent running?`
        : `${call}: Consul answered ${status}${body.trim() ? `: ${body.trim().slice(0, 300)}` : ''}${status === 403 ? ' — check CONSUL_HTTP_TOKEN' : ''}`,
    );
  }
}

/** A response and the index Consul sent with it (X-Consul-Index), for blocking queries. */
export interface ConsulIndexed<T> {
  readonly value: T;
  readonly index: number;
}

/**
 * JSON over HTTP(S) to Consul's API with the token and TLS of a ConsulConfig. No retries: the
 * router, its only steady caller, reads again on its next round anyway.
 */
export class ConsulHttp {
  private readonly agent: http.Agent;
  constructor(readonly config: ConsulConfig) {
    const read = (path: string | undefined) => (path ? readFileSync(path) : undefined);
    this.agent = config.address.startsWith('https:')
      ? new https.Agent({ keepAlive: true, ca: read(config.caCert), cert: read(config.clientCert), key: read(config.clientKey) })
      : new http.Agent({ keepAlive: true });
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.indexed<T>(method, path, { body })).value;
  }

  /** A blocking query: answers once the data's index passes `index`, or after `waitSeconds` unchanged. */
  blocking<T>(path: string, index: number, waitSeconds: number, signal?: AbortSignal): Promise<ConsulIndexed<T>> {
    const sep = path.includes('?') ? '&' : '?';
    return this.indexed<T>('GET', index ? `${path}${sep}index=${index}&wait=${waitSeconds}s` : path, { timeoutMs: (waitSeconds + 15) * 1000, signal });
  }

  indexed<T>(method: string, path: string, o: { body?: unknown; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ConsulIndexed<T>> {
    const url = new URL(this.config.address + path);
    const call = `${method} ${url.pathname}`;
    const payload = o.body === undefined ? undefined : JSON.stringify(o.body);
    const headers: Record<string, string> = this.config.token ? { 'X-Consul-Token': this.config.token } : {};
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const failed = (e: NodeJS.ErrnoException) => reject(new ConsulError(`${method} ${url.origin}${url.pathname}`, undefined, e.message, e.code));
      const req = mod.request(url, { method, headers, agent: this.agent, timeout: o.timeoutMs ?? 30_000, signal: o.signal }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('error', failed);
        r.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = r.statusCode ?? 0;
          if (status < 200 || status >= 300) return reject(new ConsulError(call, status, text));
          resolve({ value: (text ? JSON.parse(text) : undefined) as T, index: Number(r.headers['x-consul-index'] ?? 0) });
        });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', failed);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
