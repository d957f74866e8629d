/**
 * Routing under redeploys: a constant load through Caddy at a deployment's hostname while it is
 * redeployed five times with canaries. Prints requests, non-2xx and errors (target: zero), the
 * delay from an instance turning healthy to its first routed request and from its
 * deregistration to its last (target: under 1s each), and throughput through Caddy as a ratio
 * of hitting an allocation directly.
 *
 *   npm run bench:routing          (brings up its own local cluster)
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { fileURLToPath } from 'node:url';
import { NomadClient } from '../src/nomad/client.js';
import { nomadConfig } from '../src/nomad/config.js';

const NOM = fileURLToPath(new URL('../bin/nom', import.meta.url));
const TAG = process.env.NOM_TEST_IMAGE_TAG!;
const HOST = 'bench-route.nom.localhost';
const HTTPS_PORT = Number(process.env.NOM_INGRESS_HTTPS!.split(':')[1]);
const CA = readFileSync(process.env.NOM_CA_CERT!);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const nomad = new NomadClient(nomadConfig(process.env));

/** `nom deploy` as a pipeline would run it; asynchronous, so the load keeps going meanwhile. */
function deploy(tag: string): Promise<void> {
  const env = {
    PATH: process.env.PATH!, NOMAD_ADDR: process.env.NOMAD_ADDR!, NOMAD_TOKEN: process.env.NOMAD_TOKEN!,
    CI_PROJECT_PATH_SLUG: 'bench-route', CI_PROJECT_NAME: 'bench-route', CI_COMMIT_REF_SLUG: 'main', CI_COMMIT_SHA: tag,
    CI_REGISTRY_IMAGE: 'nom.local/examples/hello-world', BASE_DOMAIN: 'nom.localhost', NOMAD_VAR_CHECK_PATH: '/healthcheck', NOMAD_VAR_COUNT: '2',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [NOM, 'deploy'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`nom deploy failed:\n${stderr}`))));
  });
}

interface Tally { requests: number; non2xx: number; errors: number; errorKinds: Map<string, number>; firstServed: Map<string, number>; lastServed: Map<string, number> }
const newTally = (): Tally => ({ requests: 0, non2xx: 0, errors: 0, errorKinds: new Map(), firstServed: new Map(), lastServed: new Map() });

/** Keeps CONCURRENCY keep-alive requests in flight until `stop` resolves. */
async function load(request: (agent: http.Agent) => Promise<{ status: number; instance?: string }>, agent: http.Agent, tally: Tally, stop: { done: boolean }): Promise<void> {
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (!stop.done) {
        try {
          const { status, instance } = await request(agent);
          tally.requests++;
          if (status < 200 || status > 299) tally.non2xx++;
          if (instance) {
            const now = Date.now();
            if (!tally.firstServed.has(instance)) tally.firstServed.set(instance, now);
            tally.lastServed.set(instance, now);
          }
        } catch (e) {
          tally.errors++;
          const kind = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
          tally.errorKinds.set(kind, (tally.errorKinds.get(kind) ?? 0) + 1);
        }
      }
    }),
  );
}

const viaCaddy = (agent: http.Agent) =>
  new Promise<{ status: number; instance?: string }>((resolve, reject) => {
    https.get({ host: '127.0.0.1', port: HTTPS_PORT, servername: HOST, path: '/', ca: CA, agent, headers: { Host: `${HOST}:${HTTPS_PORT}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, instance: res.headers['x-instance'] as string | undefined }));
    }).on('error', reject);
  });

const direct = (address: { host: string; port: number }) => (agent: http.Agent) =>
  new Promise<{ status: number }>((resolve, reject) => {
    http.get({ ...address, path: '/', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    }).on('error', reject);
  });

/**
 * Watches Nomad: when each allocation is first healthy while registered under the main
 * hostname (a canary is routed there only once promoted), and when its registration goes.
 */
async function watchNomad(stop: { done: boolean }, healthyAt: Map<string, number>, deregisteredAt: Map<string, number>): Promise<void> {
  const registered = new Set<string>();
  while (!stop.done) {
    const regs = await nomad.services.registrations('bench-route', 'default').catch(() => []);
    const now = new Set(regs.map((r) => r.AllocID));
    for (const id of registered) if (!now.has(id) && !deregisteredAt.has(id)) deregisteredAt.set(id, Date.now());
    for (const r of regs) {
      const id = r.AllocID;
      registered.add(id);
      if (healthyAt.has(id) || !(r.Tags ?? []).includes(`https://${HOST}`)) continue;
      const checks = await nomad.allocations.checks(id, 'default').catch(() => ({}));
      const all = Object.values(checks);
      if (all.length && all.every((c) => c.Status === 'success')) healthyAt.set(id, Date.now());
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const stats = (xs: number[]) => (xs.length ? `median ${xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]} ms, max ${Math.max(...xs)} ms (${xs.length} instances)` : 'no samples');

await deploy(TAG);
const stop = { done: false };
const tally = newTally();
const healthyAt = new Map<string, number>();
const deregisteredAt = new Map<string, number>();
const agent = new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const watching = watchNomad(stop, healthyAt, deregisteredAt);
const loading = load(viaCaddy, agent, tally, stop);
const began = Date.now();
for (let i = 1; i <= 5; i++) {
  await deploy(i % 2 ? `${TAG}-v2` : TAG);
  console.log(`redeploy ${i}/5 done after ${((Date.now() - began) / 1000).toFixed(1)}s: ${tally.requests} requests so far`);
}
await new Promise((r) => setTimeout(r, 5000)); // let the last old instances drain
stop.done = true;
await Promise.all([loading, watching]);
agent.destroy();

const joins = [...healthyAt].filter(([id]) => tally.firstServed.has(id)).map(([id, at]) => Math.max(0, tally.firstServed.get(id)! - at));
const leaves = [...deregisteredAt].filter(([id]) => tally.lastServed.has(id)).map(([id, at]) => Math.max(0, tally.lastServed.get(id)! - at));
console.log(`load through Caddy during 5 redeploys: ${tally.requests} requests, ${tally.non2xx} non-2xx, ${tally.errors} errors${tally.errors ? ` (${[...tally.errorKinds].map(([k, n]) => `${k}: ${n}`).join(', ')})` : ''}`);
console.log(`healthy → first routed request: ${stats(joins)}`);
console.log(`deregistered → last routed request: ${stats(leaves)}`);

// Throughput: 5s through Caddy, then 5s straight to one allocation, same concurrency.
async function throughput(request: (agent: http.Agent) => Promise<{ status: number }>, tls: boolean): Promise<number> {
  const t = newTally();
  const s = { done: false };
  const a = tls ? new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY }) : new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const run = load(request, a, t, s);
  await new Promise((r) => setTimeout(r, 5000));
  s.done = true;
  await run;
  a.destroy();
  return t.requests / 5;
}
const alloc = (await nomad.jobs.allocations('bench-route')).find((a) => a.ClientStatus === 'running')!;
const port = (await nomad.allocations.read(alloc.ID)).AllocatedResources!.Shared!.Ports!.find((p) => p.Label === 'http')!;
const throughCaddy = await throughput(viaCaddy, true);
const straight = await throughput(direct({ host: port.HostIP, port: port.Value }), false);
console.log(`throughput: ${throughCaddy.toFixed(0)} req/s through Caddy (HTTPS, 2 instances), ${straight.toFixed(0)} req/s to one allocation (HTTP); ratio ${(throughCaddy / straight).toFixed(3)}`);
await nomad.jobs.deregister('bench-route', { purge: true });
nomad.close();
