/**
 * Sleeping review apps, on the local cluster: five demo review apps deployed as a pipeline
 * would, then put to sleep the way the router does (a scale to zero marked nom_sleep). Measures:
 *   - memory freed per sleeping app: the containers' memory (docker stats), Nomad's helper
 *     processes for their tasks (logmon, docker_logger), and the machine's MemAvailable before
 *     and after, each divided by five;
 *   - wake latency: from the first HTTPS request through Caddy to a sleeping app to the first
 *     byte of its answer, ten wakes, median and max.
 * Everything it deployed is purged at the end.
 *
 *   npm run bench:sleep          (brings up its own local cluster)
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import https from 'node:https';
import { fileURLToPath } from 'node:url';
import { localLayout } from '../src/cluster/local-layout.js';
import { readPid, executableOf } from '../src/cluster/processes.js';
import { NomadClient } from '../src/nomad/client.js';
import { nomadConfig } from '../src/nomad/config.js';
import { SLEEP_META } from '../src/router/sleep-policy.js';
import { routerStatus } from '../test/helpers/through-caddy.js';

const NOM = fileURLToPath(new URL('../bin/nom', import.meta.url));
const TAG = process.env.NOM_TEST_IMAGE_TAG!;
const HTTPS_PORT = Number(process.env.NOM_INGRESS_HTTPS!.split(':')[1]);
const CA = readFileSync(process.env.NOM_CA_CERT!);
const APPS = 5;
const WAKES = Number(process.env.WAKES ?? 10);
const nomad = new NomadClient(nomadConfig(process.env));
const layout = localLayout(process.env.NOM_HOME!);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function deploy(branch: string): Promise<string> {
  execFileSync('docker', ['tag', `nom.local/examples/hello-world/main:${TAG}`, `nom.local/examples/hello-world/${branch}:${TAG}`]);
  const env = {
    PATH: process.env.PATH!, NOMAD_ADDR: process.env.NOMAD_ADDR!, NOMAD_TOKEN: process.env.NOMAD_TOKEN!, GITLAB_CI: 'true',
    CI_PROJECT_PATH_SLUG: 'bench-sleep', CI_PROJECT_NAME: 'bench-sleep', CI_COMMIT_REF_SLUG: branch, CI_COMMIT_SHA: TAG,
    CI_REGISTRY_IMAGE: 'nom.local/examples/hello-world', BASE_DOMAIN: 'nom.localhost', NOMAD_VAR_CHECK_PATH: '/healthcheck',
    NOMAD_VAR_COUNT_CANARIES: '0', NOMAD_VAR_SLEEP_AFTER: 'never',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [NOM, 'deploy'], { env });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('exit', (code) => (code === 0 ? resolve(/deployed (\S+) version/.exec(out)![1]!) : reject(new Error(out))));
  });
}

const memAvailableMb = () => Number(/MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) / 1024;

/** Proportional memory (PSS: shared pages split between their users) of Nomad's helper processes (everything run from the agent's binary but the agent). */
function helpersMb(): number {
  const agent = readPid(layout.pidFile)!;
  const binary = executableOf(agent);
  let kb = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== agent)) {
    try {
      if (readlinkSync(`/proc/${pid}/exe`) !== binary) continue;
      kb += Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return kb / 1024;
}

/** The memory docker stats reports for the containers of these allocations (Nomad names them <task>-<alloc ID>). */
function containersMb(allocIds: readonly string[]): number {
  const out = execFileSync('docker', ['stats', '--no-stream', '--format', '{{.Name}} {{.MemUsage}}'], { encoding: 'utf8' });
  let mb = 0;
  for (const line of out.trim().split('\n')) {
    const [name, usage] = [line.split(' ')[0]!, line.split(' ')[1]!];
    if (!allocIds.some((id) => name.endsWith(id))) continue;
    const [, value, unit] = /([\d.]+)(KiB|MiB|GiB)/.exec(usage) ?? [];
    if (value) mb += Number(value) * (unit === 'KiB' ? 1 / 1024 : unit === 'GiB' ? 1024 : 1);
  }
  return mb;
}

const running = async (job: string) => (await nomad.jobs.allocations(job, { namespace: 'default' })).filter((a) => a.ClientStatus === 'running' || a.ClientStatus === 'pending').length;

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const began = Date.now();
  while (!(await check())) {
    if (Date.now() - began > timeoutMs) throw new Error(`${what}: not within ${timeoutMs / 1000}s`);
    await pause(100);
  }
}

/** Puts a job to sleep as the router does, once no deployment is under way, and waits until it is. */
async function sleep(job: string): Promise<void> {
  await until(`${job}'s deployment to end`, async () => !['running', 'pending', 'paused'].includes((await nomad.jobs.latestDeployment(job, 'default'))?.Status ?? ''));
  await nomad.jobs.scale(job, 'default', job, 0, 'nom: bench', { [SLEEP_META]: 'true' });
  await until(`${job} asleep`, async () => (await running(job)) === 0 && routerStatus().table.routes.some((r: { host: string; asleep?: boolean }) => r.host === `${job}.nom.localhost` && r.asleep));
}

/** Milliseconds from sending a request to the first byte of its answer. */
function firstByte(host: string): Promise<number> {
  const began = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    https.get({ host: '127.0.0.1', port: HTTPS_PORT, servername: host, ca: CA, agent: false, headers: { Host: `${host}:${HTTPS_PORT}` } }, (res) => {
      res.once('data', () => {
        if (res.statusCode !== 200) reject(new Error(`${host} answered ${res.statusCode}`));
        resolve(Number(process.hrtime.bigint() - began) / 1e6);
        res.resume();
      });
    }).on('error', reject);
  });
}

async function main(): Promise<void> {
  const jobs: string[] = [];
  try {
    for (let i = 0; i < APPS; i++) jobs.push(await deploy(`sleepy-${i}`));
    await pause(10_000); // settled: containers started, helpers up
    const allocs = (await Promise.all(jobs.map((j) => nomad.jobs.allocations(j, { namespace: 'default' })))).flat().filter((a) => a.ClientStatus === 'running').map((a) => a.ID);
    const containerNames = allocs;
    const before = { available: memAvailableMb(), helpers: helpersMb(), containers: containersMb(containerNames) };
    await Promise.all(jobs.map(sleep));
    await pause(10_000);
    const after = { available: memAvailableMb(), helpers: helpersMb(), containers: containersMb(containerNames) };
    const per = (a: number, b: number) => ((a - b) / APPS).toFixed(1);
    console.log(`memory freed per sleeping app (${APPS} demo apps): containers ${per(before.containers, after.containers)} MB, Nomad's helpers ${per(before.helpers, after.helpers)} MB, MemAvailable ${per(after.available, before.available)} MB`);

    const wakes: number[] = [];
    const job = jobs[0]!;
    for (let i = 0; i < WAKES; i++) {
      if (i > 0) await sleep(job);
      const ms = await firstByte(`${job}.nom.localhost`);
      wakes.push(ms);
      console.log(`wake ${i + 1}: ${(ms / 1000).toFixed(2)} s to the first byte`);
    }
    const sorted = [...wakes].sort((a, b) => a - b);
    console.log('');
    console.log('| | measured |');
    console.log('|---|---|');
    console.log(`| memory freed per sleeping app: container | ${per(before.containers, after.containers)} MB |`);
    console.log(`| memory freed per sleeping app: Nomad's helpers (logmon, docker_logger) | ${per(before.helpers, after.helpers)} MB |`);
    console.log(`| memory freed per sleeping app: the machine's MemAvailable | ${per(after.available, before.available)} MB |`);
    console.log(`| wake, first request → first byte, median of ${WAKES} | ${(sorted[Math.floor(sorted.length / 2)]! / 1000).toFixed(2)} s |`);
    console.log(`| wake, first request → first byte, max | ${(sorted.at(-1)! / 1000).toFixed(2)} s |`);
  } finally {
    for (const job of jobs) await nomad.jobs.deregister(job, { namespace: 'default', purge: true }).catch(() => undefined);
    nomad.close();
  }
}

await main();
