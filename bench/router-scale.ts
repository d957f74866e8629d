/**
 * The router with many hostnames: registers 100, then 1,000 routed jobs (Nomad's mock_driver in
 * place of containers; the bench listens on each one's allocated port, so requests through Caddy
 * reach a real upstream), and measures at each size, side by side:
 *   - convergence: a new job's registration in Nomad → its instance in Caddy's upstream table,
 *     and a deregistration → its route gone (ten rounds, median and max; target under 1 s); and
 *     from Nomad's event saying the new allocation runs → routed, the router's own part;
 *   - a full resync: the router's whole read of the cluster from cold, and the routing table
 *     made from it (target under 2 s);
 *   - the router's memory (resident set; target under 150 MB);
 *   - requests through Caddy spread over every hostname (8 keep-alive connections, 10 s):
 *     throughput and p99 (Caddy's own SRV upstreams cached only 100 names: nom's module has no limit).
 * It prints the ratios 1,000 / 100. Everything it registered is purged at the end.
 *
 *   npm run bench:scale          (brings up its own local cluster)
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { localLayout } from '../src/cluster/local-layout.js';
import { readPid } from '../src/cluster/processes.js';
import type { NomadJob } from '../src/jobspec/nomad-job.js';
import { NomadClient } from '../src/nomad/client.js';
import { nomadConfig } from '../src/nomad/config.js';
import { ClusterReader } from '../src/router/cluster-view.js';
import { mapLimit } from '../src/router/parallel.js';
import { routingTable } from '../src/router/routing-table.js';
import { CaddyAdmin } from '../src/router/caddy-admin.js';

const SIZES = [100, 1000];
const ROUNDS = Number(process.env.ROUNDS ?? 10);
const LOAD_SECONDS = Number(process.env.LOAD_SECONDS ?? 10);
const HTTPS_PORT = Number(process.env.NOM_INGRESS_HTTPS!.split(':')[1]);
const CA = readFileSync(process.env.NOM_CA_CERT!);
const layout = localLayout(process.env.NOM_HOME!);
const caddy = new CaddyAdmin(JSON.parse(readFileSync(layout.routerConfigFile, 'utf8')).caddyAdmin as string);
const nomad = new NomadClient(nomadConfig(process.env));
const SECONDS = 1e9;
const PREFIX = 'bench-scale-';
const hostOf = (i: number) => `${PREFIX}${String(i).padStart(4, '0')}.nom.localhost`;

/** A routed job run by the mock driver: its service claims one hostname, at the port Nomad gives it. */
function mockJob(i: number): NomadJob {
  const id = `${PREFIX}${String(i).padStart(4, '0')}`;
  return {
    ID: id, Name: id, Namespace: 'default', Type: 'service', Datacenters: ['*'],
    Meta: { nom_project: 'bench-scale', nom_branch: `branch-${i}`, nom_environment: 'review', nom_sleep_after: 'never' },
    TaskGroups: [{
      Name: 'web', Count: 1,
      EphemeralDisk: { SizeMB: 10 },
      Update: { MaxParallel: 1, MinHealthyTime: 0, HealthyDeadline: 60 * SECONDS, ProgressDeadline: 120 * SECONDS, HealthCheck: 'task_states' },
      Networks: [{ DynamicPorts: [{ Label: 'http', Value: 0, To: 0 }] }],
      Services: [{ Name: id, Provider: 'nomad', Tags: [`https://${hostOf(i)}`], PortLabel: 'http' }],
      // No log collection: a thousand logmon helpers would take gigabytes.
      Tasks: [{ Name: 'web', Driver: 'mock_driver', Config: { run_for: '24h' }, Resources: { CPU: 1, MemoryMB: 10 }, LogConfig: { Disabled: true, MaxFiles: 1, MaxFileSizeMB: 1 } }],
    }],
  } as unknown as NomadJob;
}

/** Caddy's upstream table (nom's module): each routed hostname's instances. */
async function routed(): Promise<Record<string, readonly string[]>> {
  return (await caddy.upstreams()).routes;
}

/** The mock driver binds nothing: the bench answers on each instance's port itself. */
const listening = new Map<string, http.Server>();
async function answerOnEveryPort(): Promise<void> {
  const { value: services } = await nomad.services.list();
  const names = services.flatMap((ns) => ns.Services.map((x) => x.ServiceName)).filter((n) => n.startsWith(PREFIX));
  const registrations = (await mapLimit(names, 16, (n) => nomad.services.registrations(n, 'default'))).flat();
  for (const r of registrations) {
    const at = `${r.Address}:${r.Port}`;
    if (listening.has(at)) continue;
    const server = http.createServer((_req, res) => res.end('ok\n')).listen(r.Port, r.Address);
    listening.set(at, server);
    await new Promise((resolve, reject) => server.once('listening', resolve).once('error', reject));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 5): Promise<T> {
  const began = Date.now();
  let failure: unknown;
  for (;;) {
    // A failed ask (Caddy's admin socket hangs up now and then under this polling) is asked again.
    const value = await check().catch((e: unknown) => void (failure = e));
    if (value !== undefined) return value;
    if (Date.now() - began > timeoutMs) throw new Error(`${what}: not within ${timeoutMs / 1000}s${failure ? ` (last failure: ${(failure as Error).message})` : ''}`);
    await pause(everyMs);
  }
}

async function registerUpTo(from: number, to: number, noInstance: string): Promise<void> {
  await mapLimit(Array.from({ length: to - from }, (_, k) => from + k), 16, (i) => nomad.jobs.register(mockJob(i)));
  // Every one of them with its instance in Caddy's table.
  await until(`all ${to} hostnames routed`, async () => {
    const table = await routed();
    return Array.from({ length: to }, (_, i) => table[`https/${hostOf(i)}`]).every((u) => u?.length && !u.includes(noInstance)) ? true : undefined;
  }, 600_000, 1000);
  await answerOnEveryPort();
}

/**
 * From the registration appearing in Nomad to the router answering it, and back for a
 * deregistration. A new instance is routed once Nomad lists its allocation as running, which
 * its client reports in batches (Nomad 1.6 sends a new allocation's first state on every fifth
 * 200 ms tick): the time from that report (its event) to the route is the router's own part.
 */
async function convergence(i: number): Promise<{ route: number; afterRunning: number; unroute: number }> {
  const job = mockJob(i);
  const key = `https/${hostOf(i)}`;
  const following = new AbortController();
  let running = 0;
  const stream = nomad.events.stream({ topics: [`Allocation:${job.ID}`], namespace: 'default' }, (batch) => {
    for (const e of batch.Events) if (!running && (e.Payload as { Allocation?: { ClientStatus?: string } }).Allocation?.ClientStatus === 'running') running = Date.now();
  }, following.signal).catch(() => undefined);
  await pause(100);
  await nomad.jobs.register(job);
  const [registration, registered] = await until('the registration in Nomad', async () => {
    const [r] = await nomad.services.registrations(job.ID, 'default');
    return r ? ([`${r.Address}:${r.Port}`, Date.now()] as const) : undefined;
  });
  const inTable = await until('the instance in Caddy\'s table', async () => ((await routed())[key]?.includes(registration) ? Date.now() : undefined));
  following.abort();
  await stream;
  await nomad.jobs.deregister(job.ID, { namespace: 'default', purge: true });
  const deregistered = await until('the deregistration in Nomad', async () => ((await nomad.services.registrations(job.ID, 'default')).length ? undefined : Date.now()));
  const removed = await until('the route gone', async () => ((await routed())[key] === undefined ? Date.now() : undefined));
  return { route: Math.max(0, inTable - registered), afterRunning: Math.max(0, inTable - (running || inTable)), unroute: Math.max(0, removed - deregistered) };
}

/** The router's whole read of the cluster from cold, and its routing table. */
async function resync(): Promise<number> {
  const began = Date.now();
  const view = await new ClusterReader(nomad).read();
  routingTable({ jobs: view.jobs, instances: view.instances, healthy: () => true });
  return Date.now() - began;
}

function routerRssMb(): number {
  const status = readFileSync(`/proc/${readPid(layout.routerPid)}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/**
 * Requests through Caddy, each to the next hostname in turn, on 8 keep-alive connections (one
 * TLS name for all, so connections are reused and what is measured is the routing, not 1,000
 * handshakes).
 */
async function load(size: number): Promise<{ rps: number; p99: number; failed: number }> {
  // (size: how many of the hostnames the requests go round)
  const agent = new https.Agent({ keepAlive: true, maxSockets: 8, ca: CA });
  const latencies: number[] = [];
  let failed = 0;
  let next = 0;
  const end = Date.now() + LOAD_SECONDS * 1000;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (Date.now() < end) {
      const host = hostOf(next++ % size);
      const began = process.hrtime.bigint();
      const status = await new Promise<number>((resolve) => {
        https.get({ host: '127.0.0.1', port: HTTPS_PORT, servername: hostOf(0), headers: { Host: `${host}:${HTTPS_PORT}` }, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        }).on('error', () => resolve(0));
      });
      latencies.push(Number(process.hrtime.bigint() - began) / 1e6);
      if (status !== 200) failed++;
    }
  }));
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  return { rps: latencies.length / LOAD_SECONDS, p99: sorted[Math.floor(sorted.length * 0.99)]!, failed };
}

async function main(): Promise<void> {
  const noInstance = `127.0.0.1:${(JSON.parse(readFileSync(layout.routerConfigFile, 'utf8')) as { ingress: { noInstancePort: number } }).ingress.noInstancePort}`;
  const results: Record<number, { route: number[]; afterRunning: number[]; unroute: number[]; resync: number; rss: number; rps: number; p99: number; failed: number; rps100: number; p99100: number }> = {};
  try {
    let registered = 0;
    for (const size of SIZES) {
      const began = Date.now();
      await registerUpTo(registered, size, noInstance);
      registered = size;
      console.log(`${size} hostnames routed (${((Date.now() - began) / 1000).toFixed(0)}s to register and route them)`);
      await pause(3000);
      const rounds = [];
      for (let r = 0; r < ROUNDS; r++) rounds.push(await convergence(9000 + r));
      const resyncs = [await resync(), await resync(), await resync()];
      const traffic = await load(size);
      // The usual case at any size: a hundred of them busy.
      const hundred = await load(100);
      results[size] = { route: rounds.map((r) => r.route), afterRunning: rounds.map((r) => r.afterRunning), unroute: rounds.map((r) => r.unroute), resync: median(resyncs), rss: routerRssMb(), ...traffic, rps100: hundred.rps, p99100: hundred.p99 };
      console.log(`  ${JSON.stringify(results[size])}`);
    }
    const [a, b] = SIZES.map((s) => results[s]!);
    const row = (label: string, x: number, y: number, unit: string, digits = 0) => console.log(`| ${label} | ${x.toFixed(digits)} ${unit} | ${y.toFixed(digits)} ${unit} | ${(y / x).toFixed(2)} |`);
    console.log('');
    console.log(`| | ${SIZES[0]} hostnames | ${SIZES[1]} hostnames | ${SIZES[1]} / ${SIZES[0]} |`);
    console.log('|---|---|---|---|');
    row('registered → routed, median', median(a!.route), median(b!.route), 'ms');
    row('registered → routed, max', Math.max(...a!.route), Math.max(...b!.route), 'ms');
    row('running in Nomad → routed, median', median(a!.afterRunning), median(b!.afterRunning), 'ms');
    row('running in Nomad → routed, max', Math.max(...a!.afterRunning), Math.max(...b!.afterRunning), 'ms');
    row('deregistered → removed, median', median(a!.unroute), median(b!.unroute), 'ms');
    row('deregistered → removed, max', Math.max(...a!.unroute), Math.max(...b!.unroute), 'ms');
    row('full resync (read + table), median', a!.resync, b!.resync, 'ms');
    row('router memory (RSS)', a!.rss, b!.rss, 'MB');
    row('requests/s through Caddy, spread over 100 of the hostnames', a!.rps100, b!.rps100, '');
    row('p99 latency of those', a!.p99100, b!.p99100, 'ms', 2);
    row('requests/s through Caddy, spread over all hostnames', a!.rps, b!.rps, '');
    row('p99 latency of those', a!.p99, b!.p99, 'ms', 2);
    console.log(`failed requests: ${a!.failed} at ${SIZES[0]}, ${b!.failed} at ${SIZES[1]}`);
  } finally {
    const ours = (await nomad.jobs.list({ namespace: 'default', prefix: PREFIX })).map((j) => j.ID);
    await mapLimit(ours, 16, (id) => nomad.jobs.deregister(id, { namespace: 'default', purge: true }).catch(() => undefined));
    for (const server of listening.values()) server.close();
    nomad.close();
  }
}

await main();
