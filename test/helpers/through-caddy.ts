/**
 * Requests through the Caddy that `nom up` started (its HTTPS and HTTP listeners, its internal
 * CA), and the router's status, for the integration tests that look at routing.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { waitFor } from '../../src/cluster/processes.js';
import type { NomadJob } from '../../src/jobspec/nomad-job.js';
import type { NomadClient } from '../../src/nomad/client.js';
import { localLayout } from '../../src/cluster/local-layout.js';

const NOM = fileURLToPath(new URL('../../bin/nom', import.meta.url));
export const HTTPS_PORT = Number(process.env.NOM_INGRESS_HTTPS!.split(':')[1]);
export const HTTP_PORT = Number(process.env.NOM_INGRESS_HTTP!.split(':')[1]);
export const CA = readFileSync(process.env.NOM_CA_CERT!);

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * Sends a request and reads the whole reply. A connection reset before any reply is retried
 * (twice at most), as browsers do: Caddy may close a connection while it loads a new
 * configuration (the README's routing benchmark counts these).
 */
export async function fetchReply(send: (onReply: (res: http.IncomingMessage) => void) => http.ClientRequest): Promise<Reply> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetchOnce(send);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ECONNRESET' || attempt === 3) throw e;
    }
  }
}

export function fetchOnce(send: (onReply: (res: http.IncomingMessage) => void) => http.ClientRequest): Promise<Reply> {
  return new Promise((resolve, reject) => {
    send((res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    })
      .on('error', reject)
      .end();
  });
}

/** A request to Caddy's HTTPS listener for `host`, trusting only the cluster's internal CA. */
export const viaHttps = (host: string, path = '/', headers: Record<string, string> = {}) =>
  fetchReply((onReply) => https.request({ host: '127.0.0.1', port: HTTPS_PORT, servername: host, path, ca: CA, agent: false, headers: { Host: `${host}:${HTTPS_PORT}`, ...headers } }, onReply));

/** A request to Caddy's plain-HTTP listener for `host`. */
export const viaHttp = (host: string, path = '/', headers: Record<string, string> = {}) =>
  fetchReply((onReply) => http.request({ host: '127.0.0.1', port: HTTP_PORT, path, agent: false, headers: { Host: host, ...headers } }, onReply));

/** A websocket to the demo app's /ws at `host` through Caddy's HTTPS listener, open, with a function that sends a text and resolves with its echo. */
export async function echoSocket(host: string): Promise<{ ws: WebSocket; echo: (text: string) => Promise<string> }> {
  const ws = new WebSocket(`wss://127.0.0.1:${HTTPS_PORT}/ws`, { ca: CA, servername: host, headers: { Host: `${host}:${HTTPS_PORT}` } } as WebSocket.ClientOptions);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const echo = (text: string) =>
    new Promise<string>((resolve, reject) => {
      ws.once('message', (data) => resolve(String(data)));
      ws.once('close', () => reject(new Error('the websocket closed')));
      ws.send(text);
    });
  return { ws, echo };
}

/** `nom router status --json`. */
/** The router's log lines from `since` on (each line starts with its ISO time). */
export const routerLogSince = (since: Date) =>
  readFileSync(localLayout(process.env.NOM_HOME!).routerLog, 'utf8').split('\n').filter((l) => l.slice(0, 24) >= since.toISOString()).join('\n');

export const routerStatus = () => JSON.parse(spawnSync(process.execPath, [NOM, 'router', 'status', '--json'], { env: process.env, encoding: 'utf8' }).stdout);

/** Polls until `check` holds for what `host` answers over HTTPS. */
export async function until(host: string, check: (r: Reply) => boolean, what: string, timeoutMs = 30_000): Promise<Reply> {
  let last = 'no answer';
  return waitFor(
    async () => {
      const r = await viaHttps(host).catch((e: Error) => ({ status: 0, headers: {}, body: e.message }));
      last = `${r.status} ${r.body.slice(0, 80)}`;
      return check(r) ? r : undefined;
    },
    { timeoutMs, intervalMs: 200, onTimeout: () => new Error(`${host}: ${what} not seen within ${timeoutMs / 1000}s (last: ${last})`) },
  );
}

/**
 * Registers `job` (a new version, "hello v2", of the running "hi world" at `host`) without
 * auto-promotion and checks that canary-<host> reaches only the canary and <host> only the old
 * version until Nomad promotes it; then promotes it and waits for v2 at <host>.
 */
export async function checkCanaryRouting(nomad: NomadClient, job: NomadJob, host: string): Promise<void> {
  job.TaskGroups[0]!.Update!.AutoPromote = false;
  await nomad.jobs.register(job);
  const canary = `canary-${host}`;
  await until(canary, (r) => r.status === 200 && /hello v2/.test(r.body), 'the canary');
  for (let i = 0; i < 20; i++) {
    const [c, main] = [await viaHttps(canary), await viaHttps(host)];
    if (!/hello v2/.test(c.body)) throw new Error(`the canary hostname reached an old instance: ${c.body.slice(0, 200)}`);
    if (!/hi world/.test(main.body)) throw new Error(`the main hostname reached the canary before promotion: ${main.body.slice(0, 200)}`);
  }
  // Nomad promotes only once the canary has been healthy for its minimum healthy time.
  const deployment = await waitFor(
    async () => {
      const d = await nomad.jobs.latestDeployment(job.ID, job.Namespace);
      return d && d.TaskGroups[job.TaskGroups[0]!.Name]!.HealthyAllocs >= 1 ? d : undefined;
    },
    { timeoutMs: 60_000, onTimeout: () => new Error('the canary never became healthy for Nomad') },
  );
  await nomad.http.request('POST', `/v1/deployment/promote/${deployment.ID}`, { body: { DeploymentID: deployment.ID, All: true } });
  await until(host, (r) => /hello v2/.test(r.body), 'v2 at the main hostname after promotion', 60_000);
}
