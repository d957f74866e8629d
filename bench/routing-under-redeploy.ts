/**
 * Routing under redeploys: a constant load through Caddy at a deployment's hostname while it is
 * redeployed five times with canaries. Prints requests, non-2xx and errors (target: zero), the
 * delay from an instance turning healthy to its first routed request and from its
 * deregistration to its last (target: under 1s each), and throughput through Caddy as a ratio
 * of hitting an allocation directly. In the same run it does it all twice, side by side: with
 * the services in Nomad, then (after `nom up --consul`) in Consul, and prints the ratios of the
 * two (Consul / Nomad).
 *
 *   npm run bench:routing          (brings up its own local cluster)
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { fileURLToPath } from 'node:url';
import { ConsulClient } from '../src/consul/client.js';
import { consulConfig } from '../src/consul/config.js';
import { NomadClient } from '../src/nomad/client.js';
import { nomadConfig } from '../src/nomad/config.js';

const NOM = fileURLToPath(new URL('../bin/nom', import.meta.url));
const TAG = process.env.NOM_TEST_IMAGE_TAG!;
const HOST = 'bench-route.nom.localhost';
const HTTPS_PORT = Number(process.env.NOM_INGRESS_HTTPS!.split(':')[1]);
const CA = readFileSync(process.env.NOM_CA_CERT!);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const nomad = new NomadClient(nomadConfig(process.env));

type Source = 'nomad' | 'consul';
let consul: ConsulClient | undefined;

/** `nom deploy` as a pipeline would run it; asynchronous, so the load keeps going meanwhile. */
function deploy(tag: string, source: Source): Promise<void> {
  const env = {
    NOMAD_VAR_SERVICE_PROVIDER: source,
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

/** The registrations of the bench's service, from where they live: allocation, main-hostname tag, all checks passing. */
async function registrations(source: Source): Promise<{ allocId: string; main: boolean; healthy: () => Promise<boolean> }[]> {
  if (source === 'consul') {
    const entries = (await consul!.health.service('bench-route').catch(() => ({ value: [] }))).value;
    return entries.map((e) => ({
      allocId: /^_nomad-task-([0-9a-f-]{36})-/.exec(e.Service.ID)?.[1] ?? e.Service.ID,
      main: (e.Service.Tags ?? []).includes(`https://${HOST}`),
      healthy: async () => e.Checks.every((c) => c.Status === 'passing'),
    }));
  }
  const regs = await nomad.services.registrations('bench-route', 'default').catch(() => []);
  return regs.map((r) => ({
    allocId: r.AllocID,
    main: (r.Tags ?? []).includes(`https://${HOST}`),
    healthy: async () => {
      const all = Object.values(await nomad.allocations.checks(r.AllocID, 'default').catch(() => ({})));
      return all.length > 0 && all.every((c) => c.Status === 'success');
    },
  }));
}

/**
 * Watches the registrations: when each allocation is first healthy while registered under the
 * main hostname (a canary is routed there only once promoted), and when its registration goes.
 */
async function watchRegistrations(source: Source, stop: { done: boolean }, healthyAt: Map<string, number>, deregisteredAt: Map<string, number>): Promise<void> {
  const registered = new Set<string>();
  while (!stop.done) {
    const regs = await registrations(source);
    const now = new Set(regs.map((r) => r.allocId));
    for (const id of registered) if (!now.has(id) && !deregisteredAt.has(id)) deregisteredAt.set(id, Date.now());
    for (const r of regs) {
      registered.add(r.allocId);
      if (healthyAt.has(r.allocId) || !r.main) continue;
      if (await r.healthy()) healthyAt.set(r.allocId, Date.now());
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : NaN);
const stats = (xs: number[]) => (xs.length ? `median ${median(xs)} ms, max ${Math.max(...xs)} ms (${xs.length} instances)` : 'no samples');

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

interface Result { requests: number; failed: number; join: number; leave: number; ratio: number }

/** The whole measurement with the services in `source`. */
async function measure(source: Source): Promise<Result> {
  console.log(`— services in ${source === 'consul' ? 'Consul' : 'Nomad'}`);
  await deploy(TAG, source);
  const stop = { done: false };
  const tally = newTally();
  const healthyAt = new Map<string, number>();
  const deregisteredAt = new Map<string, number>();
  const agent = new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const watching = watchRegistrations(source, stop, healthyAt, deregisteredAt);
  const loading = load(viaCaddy, agent, tally, stop);
  const began = Date.now();
  for (let i = 1; i <= 5; i++) {
    await deploy(i % 2 ? `${TAG}-v2` : TAG, source);
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

  const alloc = (await nomad.jobs.allocations('bench-route')).find((a) => a.ClientStatus === 'running')!;
  const port = (await nomad.allocations.read(alloc.ID)).AllocatedResources!.Shared!.Ports!.find((p) => p.Label === 'http')!;
  const throughCaddy = await throughput(viaCaddy, true);
  const straight = await throughput(direct({ host: port.HostIP, port: port.Value }), false);
  console.log(`throughput: ${throughCaddy.toFixed(0)} req/s through Caddy (HTTPS, 2 instances), ${straight.toFixed(0)} req/s to one allocation (HTTP); ratio ${(throughCaddy / straight).toFixed(3)}`);
  await nomad.jobs.deregister('bench-route', { purge: true });
  // Its hostnames stay recorded as the purged job's until the router lets them go.
  await new Promise((r) => setTimeout(r, 3000));
  return { requests: tally.requests, failed: tally.non2xx + tally.errors, join: median(joins), leave: median(leaves), ratio: throughCaddy / straight };
}

const inNomad = await measure('nomad');
const up = spawnSync(process.execPath, [NOM, 'up', '--no-nomad-config', '--consul'], { env: process.env, encoding: 'utf8' });
if (up.status !== 0) throw new Error(`nom up --consul failed:\n${up.stdout}${up.stderr}`);
const exported = Object.fromEntries([...spawnSync(process.execPath, [NOM, 'env'], { env: process.env, encoding: 'utf8' }).stdout.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
consul = new ConsulClient(consulConfig(exported)!);
const inConsul = await measure('consul');
consul.close();
nomad.close();

const row = (name: string, n: number, c: number, unit = '') => console.log(`${name.padEnd(34)} ${`${n.toFixed(unit ? 0 : 3)}${unit}`.padStart(10)} ${`${c.toFixed(unit ? 0 : 3)}${unit}`.padStart(10)}   ratio ${(c / n).toFixed(2)}`);
console.log(`\n${'side by side'.padEnd(34)} ${'Nomad'.padStart(10)} ${'Consul'.padStart(10)}`);
console.log(`${'failed requests (target 0)'.padEnd(34)} ${String(inNomad.failed).padStart(10)} ${String(inConsul.failed).padStart(10)}   of ${inNomad.requests} and ${inConsul.requests}`);
row('healthy → routed, median', inNomad.join, inConsul.join, ' ms');
row('deregistered → removed, median', inNomad.leave, inConsul.leave, ' ms');
row('throughput through Caddy / direct', inNomad.ratio, inConsul.ratio);
