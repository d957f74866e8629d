/**
 * What nom's routes cost: the demo app with two instances, reached through the local cluster's
 * Caddy as the router configures it (hostname route, instances from the router's DNS, HSTS,
 * least-connections), and side by side through the same Caddy binary with a hand-written static
 * configuration for the same two instances. wrk (8 keep-alive HTTPS connections) alternates
 * between the two (which goes first alternating too), and the bench prints requests per second and p99 latency
 * of each, and the ratios nom / static (target: throughput at least 0.98).
 *
 *   npm run bench:overhead          (brings up its own local cluster; needs wrk: apt-get install wrk)
 *
 * The hostname is `localhost`, which resolves here without DNS, so wrk sends it as the TLS name.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localLayout } from '../src/cluster/local-layout.js';
import { executableOf, readPid, waitFor } from '../src/cluster/processes.js';
import { NomadClient } from '../src/nomad/client.js';
import { nomadConfig } from '../src/nomad/config.js';
import { renderJob } from '../src/render/render-job.js';
import { routerStatus } from '../test/helpers/through-caddy.js';

const TAG = process.env.NOM_TEST_IMAGE_TAG!;
const HOST = 'localhost';
const NOM_PORT = Number(process.env.NOM_INGRESS_HTTPS!.split(':')[1]);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SECONDS = Number(process.env.SECONDS_PER_ROUND ?? 10);
const nomad = new NomadClient(nomadConfig(process.env));

interface Run { rps: number; p99ms: number }

/** One wrk run against https://localhost:<port>/: requests per second and the 99th percentile latency. */
function wrk(port: number, seconds = SECONDS): Run {
  const r = spawnSync('wrk', ['-t1', '-c8', `-d${seconds}s`, '--latency', `https://${HOST}:${port}/`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr || r.stdout}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1]);
  const [, value, unit] = /\s99%\s+([\d.]+)(us|ms|s)/.exec(r.stdout) ?? [];
  const errors = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(r.stdout);
  if (errors) throw new Error(`wrk saw errors: ${errors[0]}\n${r.stdout}`);
  return { rps, p99ms: Number(value) * (unit === 'us' ? 1e-3 : unit === 's' ? 1e3 : 1) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const freePort = () => new Promise<number>((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address() as net.AddressInfo; s.close(() => resolve(port)); }); });

/** The hand-written configuration an operator would write for the same two instances. */
function staticConfig(port: number, upstreams: readonly string[], storage: string): unknown {
  return {
    admin: { disabled: true },
    storage: { module: 'file_system', root: storage },
    apps: {
      http: {
        servers: {
          static: {
            listen: [`127.0.0.1:${port}`],
            routes: [{ match: [{ host: [HOST] }], handle: [{ handler: 'reverse_proxy', upstreams: upstreams.map((dial) => ({ dial })) }], terminal: true }],
            automatic_https: { disable_redirects: true },
          },
        },
      },
      tls: { automation: { policies: [{ subjects: [HOST], issuers: [{ module: 'internal' }] }] } },
      pki: { certificate_authorities: { local: { install_trust: false } } },
    },
  };
}

async function main(): Promise<void> {
  if (spawnSync('wrk', ['--version']).error) throw new Error('wrk not found: apt-get install wrk');
  const rendered = renderJob(
    { CI_PROJECT_PATH_SLUG: 'bench-overhead', CI_PROJECT_NAME: 'bench-overhead', CI_COMMIT_REF_SLUG: 'main', CI_COMMIT_SHA: TAG, CI_REGISTRY_IMAGE: 'nom.local/examples/hello-world', BASE_DOMAIN: 'nom.localhost', NOMAD_VAR_COUNT: '2', NOMAD_VAR_COUNT_CANARIES: '0', NOMAD_VAR_CHECK_PATH: '/healthcheck' },
    { renderId: 'bench-overhead' },
  );
  if (rendered.noDeploy) throw new Error('nothing rendered');
  const job = rendered.job;
  job.TaskGroups[0]!.Services![0]!.Tags = [`https://${HOST}`];
  await nomad.jobs.register(job);
  const work = mkdtempSync(join(tmpdir(), 'nom-bench-overhead-'));
  let caddy: ReturnType<typeof spawn> | undefined;
  try {
    const upstreams = await waitFor(
      async () => {
        const route = routerStatus().table.routes.find((r: { host: string }) => r.host === HOST);
        return route?.upstreams.length === 2 ? (route.upstreams as string[]) : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500, onTimeout: () => new Error('the bench job did not get two routed instances within 2 minutes') },
    );
    const layout = localLayout(process.env.NOM_HOME!);
    const binary = executableOf(readPid(layout.caddyPid)!)!;
    const port = await freePort();
    writeFileSync(join(work, 'caddy.json'), JSON.stringify(staticConfig(port, upstreams, join(work, 'data'))));
    caddy = spawn(binary, ['run', '--config', join(work, 'caddy.json')], { env: { ...process.env, XDG_CONFIG_HOME: work, XDG_DATA_HOME: work }, stdio: 'ignore' });
    await waitFor(async () => (spawnSync('wrk', ['-t1', '-c1', '-d1s', `https://${HOST}:${port}/`]).status === 0 ? true : undefined), { timeoutMs: 30_000, intervalMs: 500, onTimeout: () => new Error('the static Caddy did not answer') });

    console.log(`two instances (${upstreams.join(', ')}); wrk -c8, ${SECONDS}s per run, ${ROUNDS} rounds, alternating`);
    wrk(NOM_PORT, 3);
    wrk(port, 3); // warm both: certificates, connections
    const runs = { nom: [] as Run[], static: [] as Run[] };
    for (let round = 1; round <= ROUNDS; round++) {
      // Which goes first alternates: a run right after a pause, or after the other, is not favoured.
      const [a, b] = round % 2 ? [wrk(NOM_PORT), wrk(port)] : [wrk(port), wrk(NOM_PORT)].reverse() as [Run, Run];
      runs.nom.push(a);
      runs.static.push(b);
      console.log(`round ${round}: nom ${a.rps.toFixed(0)} req/s, p99 ${a.p99ms.toFixed(2)} ms · static ${b.rps.toFixed(0)} req/s, p99 ${b.p99ms.toFixed(2)} ms`);
    }
    const rps = { nom: median(runs.nom.map((r) => r.rps)), static: median(runs.static.map((r) => r.rps)) };
    const p99 = { nom: median(runs.nom.map((r) => r.p99ms)), static: median(runs.static.map((r) => r.p99ms)) };
    console.log('');
    console.log('| | nom\'s routes | static config | nom / static |');
    console.log('|---|---|---|---|');
    console.log(`| requests per second, median | ${rps.nom.toFixed(0)} | ${rps.static.toFixed(0)} | ${(rps.nom / rps.static).toFixed(3)} |`);
    console.log(`| p99 latency, median | ${p99.nom.toFixed(2)} ms | ${p99.static.toFixed(2)} ms | ${(p99.nom / p99.static).toFixed(3)} |`);
  } finally {
    caddy?.kill('SIGTERM');
    await nomad.jobs.deregister(job.ID, { namespace: job.Namespace, purge: true }).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
    nomad.close();
  }
}

await main();
