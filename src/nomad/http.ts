import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import WebSocket from 'ws';
import type { NomadConfig } from './config.js';

/** A failed call to Nomad: which call, and Nomad's own words. */
export class NomadError extends Error {
  override name = 'NomadError';
  constructor(
    readonly call: string,
    readonly status: number | undefined,
    readonly body: string,
    readonly code?: string,
    capability?: string,
  ) {
    super(NomadError.describe(call, status, body, code, capability));
  }

  private static describe(call: string, status: number | undefined, body: string, code?: string, capability?: string): string {
    // A call names its address when Nomad cannot be reached: `GET http://10.0.0.1:4646/v1/jobs`.
    if (status === undefined) return `cannot reach Nomad: ${call} failed (${code ?? body}); is NOMAD_ADDR right and the agent running?`;
    const said = body.trim() ? `: ${body.trim().slice(0, 500)}` : '';
    if (status === 403) {
      return `${call}: Nomad answered 403${said}${capability ? ` — the token lacks ${capability}` : ' — check NOMAD_TOKEN'}`;
    }
    return `${call}: Nomad answered ${status}${said}`;
  }
}

export interface RequestOptions {
  readonly query?: Record<string, string | number | boolean | readonly string[] | undefined>;
  readonly body?: unknown;
  readonly timeoutMs?: number;
  /** Safe to send twice: transient failures are retried (GETs always are). */
  readonly idempotent?: boolean;
  /** How many tries in all (5 by default): a write that must outlast a leader election asks for more. */
  readonly attempts?: number;
  /** Told before each retry, so a caller can say that it waits. */
  readonly onRetry?: (error: NomadError, delayMs: number) => void;
  /** What a 403 means for this call, e.g. `the submit-job capability in namespace "default"`. */
  readonly capability?: string;
  /** Return the body as text instead of parsing JSON. */
  readonly text?: boolean;
}

/** A response and the index Nomad sent with it (X-Nomad-Index), for blocking queries. */
export interface Indexed<T> {
  readonly value: T;
  readonly index: number;
}

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND']);
const ATTEMPTS = 5;

/**
 * The one retry rule: refused or reset connections, 5xx (a new cluster's "No cluster leader"
 * among them) and 429 pass; 4xx are answers, never retried.
 */
export function isTransient(e: unknown): boolean {
  if (!(e instanceof NomadError)) return false;
  return e.status === undefined ? TRANSIENT_CODES.has(e.code ?? '') : e.status >= 500 || e.status === 429;
}

/**
 * The transport under the typed client: JSON over HTTP(S) with the token, namespace, region
 * and TLS settings of a NomadConfig. Retry policy for transient failures lives here; what to
 * wait for and what to report lives with the callers.
 */
export class NomadHttp {
  private readonly agent: http.Agent;
  private closed = false;
  constructor(readonly config: NomadConfig) {
    const tls = config.address.startsWith('https:');
    const read = (path: string | undefined) => (path ? readFileSync(path) : undefined);
    this.agent = tls
      ? new https.Agent({ keepAlive: true, ca: read(config.caCert), cert: read(config.clientCert), key: read(config.clientKey), rejectUnauthorized: !config.skipVerify })
      : new http.Agent({ keepAlive: true });
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return (await this.indexed<T>(method, path, options)).value;
  }

  /**
   * One API call, with the response's index. Transient failures are retried with backoff
   * (250 ms doubling, 5 tries) when the call is safe to repeat, or when the connection was
   * refused so nothing was sent.
   */
  async indexed<T>(method: string, path: string, options: RequestOptions = {}): Promise<Indexed<T>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once<T>(method, path, options);
      } catch (e) {
        const retry = !this.closed && e instanceof NomadError && isTransient(e) && attempt < (options.attempts ?? ATTEMPTS) && (method === 'GET' || options.idempotent || e.code === 'ECONNREFUSED');
        if (!retry) throw e;
        const delay = Math.min(4000, 250 * 2 ** (attempt - 1)) * (0.75 + Math.random() / 2);
        options.onRetry?.(e as NomadError, delay);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /**
   * A blocking query: answers when the data's index passes `index`, or after `waitSeconds`
   * with the same data (Nomad's `?index=&wait=`).
   */
  blocking<T>(path: string, index: number, waitSeconds: number, options: RequestOptions = {}): Promise<Indexed<T>> {
    return this.indexed<T>('GET', path, {
      ...options,
      query: { ...options.query, index: index || undefined, wait: index ? `${waitSeconds}s` : undefined },
      timeoutMs: (waitSeconds + 15) * 1000,
    });
  }

  /** The URL, headers and payload of a call: the config's namespace and region unless the query says otherwise. */
  private prepare(method: string, path: string, options: RequestOptions) {
    const url = new URL(this.config.address + path);
    const query = { namespace: this.config.namespace, region: this.config.region, ...options.query };
    for (const [k, v] of Object.entries(query)) {
      for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) url.searchParams.append(k, String(one));
    }
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = {};
    if (this.config.token) headers['X-Nomad-Token'] = this.config.token;
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    return { url, call: `${method} ${url.pathname}`, payload, headers, mod: url.protocol === 'https:' ? https : http };
  }

  /**
   * A streaming GET (the event stream, logs): `onText` gets the body as it arrives, as text.
   * Resolves when Nomad ends the stream or `signal` aborts it; rejects when it cannot be opened,
   * breaks, or stays silent for `idleTimeoutMs` (0: never; Nomad's event stream sends a
   * heartbeat every 10 s, a quiet log sends nothing).
   */
  stream(path: string, options: RequestOptions & { signal?: AbortSignal; idleTimeoutMs?: number }, onText: (text: string) => void): Promise<void> {
    const { url, call, headers, mod } = this.prepare('GET', path, options);
    const idle = options.idleTimeoutMs ?? 35_000;
    return new Promise((resolve, reject) => {
      const fail = (e: NodeJS.ErrnoException) => (options.signal?.aborted ? resolve() : reject(new NomadError(`${call.split(' ')[0]} ${url.origin}${url.pathname}`, undefined, e.message, e.code)));
      const req = mod.request(url, { headers, agent: this.agent, signal: options.signal, ...(idle ? { timeout: idle } : {}) }, (r) => {
        r.setEncoding('utf8');
        if ((r.statusCode ?? 0) < 200 || (r.statusCode ?? 0) >= 300) {
          let body = '';
          r.on('data', (c: string) => (body += c)).on('end', () => reject(new NomadError(call, r.statusCode, body, undefined, options.capability)));
          return;
        }
        r.on('data', onText);
        r.on('end', () => resolve());
        r.on('error', fail);
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no data for ${idle / 1000}s`), { code: 'ETIMEDOUT' })));
      req.on('error', fail);
      req.end();
    });
  }

  /** A websocket to `path` (Nomad's exec), with the token and the TLS settings of the config. */
  websocket(path: string, query: Record<string, string | undefined>): WebSocket {
    const { url, headers } = this.prepare('GET', path, { query });
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const read = (file: string | undefined) => (file ? readFileSync(file) : undefined);
    const c = this.config;
    return new WebSocket(url, { headers, ca: read(c.caCert), cert: read(c.clientCert), key: read(c.clientKey), rejectUnauthorized: !c.skipVerify, handshakeTimeout: 15_000 });
  }

  private async once<T>(method: string, path: string, options: RequestOptions): Promise<Indexed<T>> {
    const { url, call, payload, headers, mod } = this.prepare(method, path, options);
    const res = await new Promise<{ status: number; body: string; index: number }>((resolve, reject) => {
      const req = mod.request(url, { method, headers, agent: this.agent, timeout: options.timeoutMs ?? 30_000 }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), index: Number(r.headers['x-nomad-index'] ?? 0) }));
        r.on('error', (e: NodeJS.ErrnoException) => reject(new NomadError(`${method} ${url.origin}${url.pathname}`, undefined, e.message, e.code)));
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', (e: NodeJS.ErrnoException) => reject(new NomadError(`${method} ${url.origin}${url.pathname}`, undefined, e.message, e.code)));
      req.end(payload);
    });
    if (res.status < 200 || res.status >= 300) throw new NomadError(call, res.status, res.body, undefined, options.capability);
    const value = (options.text ? res.body : res.body ? JSON.parse(res.body) : undefined) as T;
    return { value, index: res.index };
  }

  /** Ends every call in flight (none is retried) and frees the connections. */
  close(): void {
    this.closed = true;
    this.agent.destroy();
  }
}
