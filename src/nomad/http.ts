import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { NomadConfig } from './config.js';

/** A failed call to Nomad: which call, and Nomad's own words. */
export class NomadError extends Error {
  override name = 'NomadError';
  constructor(
    readonly call: string,
    readonly status: number | undefined,
    readonly body: string,
    readonly code?: string,
  ) {
    super(
      status === undefined
        ? `${call}: cannot reach Nomad (${code ?? body})`
        : `${call}: Nomad answered ${status}${body.trim() ? `: ${body.trim().slice(0, 500)}` : ''}`,
    );
  }
}

export interface RequestOptions {
  readonly query?: Record<string, string | number | boolean | undefined>;
  readonly body?: unknown;
  readonly timeoutMs?: number;
  /** Safe to send twice: transient failures are retried (GETs always are). */
  readonly idempotent?: boolean;
}

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND']);
const ATTEMPTS = 5;

/** Refused or reset connections, 5xx and 429 pass; 4xx are answers, never retried. */
function isTransient(e: NomadError): boolean {
  return e.status === undefined ? TRANSIENT_CODES.has(e.code ?? '') : e.status >= 500 || e.status === 429;
}

/**
 * The transport under the typed client: JSON over HTTP(S) with the token, namespace, region
 * and TLS settings of a NomadConfig. No retries or policy here; callers decide.
 */
export class NomadHttp {
  private readonly agent: http.Agent;
  constructor(readonly config: NomadConfig) {
    const tls = config.address.startsWith('https:');
    const read = (path: string | undefined) => (path ? readFileSync(path) : undefined);
    this.agent = tls
      ? new https.Agent({ keepAlive: true, ca: read(config.caCert), cert: read(config.clientCert), key: read(config.clientKey), rejectUnauthorized: !config.skipVerify })
      : new http.Agent({ keepAlive: true });
  }

  /**
   * One API call. Transient failures are retried with backoff (250 ms doubling, 5 tries) when
   * the call is safe to repeat, or when the connection was refused so nothing was sent.
   */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once<T>(method, path, options);
      } catch (e) {
        const retry = e instanceof NomadError && isTransient(e) && attempt < ATTEMPTS && (method === 'GET' || options.idempotent || e.code === 'ECONNREFUSED');
        if (!retry) throw e;
        await new Promise((r) => setTimeout(r, Math.min(4000, 250 * 2 ** (attempt - 1)) * (0.75 + Math.random() / 2)));
      }
    }
  }

  private async once<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    const url = new URL(this.config.address + path);
    const query = { namespace: this.config.namespace, region: this.config.region, ...options.query };
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const call = `${method} ${url.pathname}`;
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = {};
    if (this.config.token) headers['X-Nomad-Token'] = this.config.token;
    if (payload !== undefined) headers['Content-Type'] = 'application/json';

    const text = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const mod = url.protocol === 'https:' ? https : http;
      const req = mod.request(url, { method, headers, agent: this.agent, timeout: options.timeoutMs ?? 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', (e: NodeJS.ErrnoException) => reject(new NomadError(call, undefined, e.message, e.code)));
      req.end(payload);
    });
    if (text.status < 200 || text.status >= 300) throw new NomadError(call, text.status, text.body);
    return (text.body ? JSON.parse(text.body) : undefined) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}
