/**
 * The console with many deployments: registers jobs as nom would (nom's meta, one allocation
 * each, Nomad's mock_driver standing in for containers), signs in with headless chromium through
 * Caddy, and measures, side by side at 50 and at 500 deployments:
 *   - time to first full render: from signing in to every deployment's row on the page;
 *   - time to apply one event: from a job's new version registered to its new version shown,
 *     without a reload;
 * and prints the ratios (500 / 50). Everything it registered is purged at the end.
 *
 *   npm run bench:console          (brings up its own local cluster)
 */
import { NomadClient } from '../src/nomad/client.js';
import { nomadConfig } from '../src/nomad/config.js';
import type { NomadJob } from '../src/jobspec/nomad-job.js';
import { launchBrowser, visitor } from '../test/helpers/browser.js';

const CONSOLE = process.env.NOM_CONSOLE_URL!;
const SIZES = [50, 500];
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const nomad = new NomadClient(nomadConfig(process.env));
const SECONDS = 1e9;

/** A review app as nom registers it, run by the mock driver (no container, no image). */
function mockJob(i: number, version = 0): NomadJob {
  const id = `bench-console-${String(i).padStart(3, '0')}`;
  return {
    ID: id,
    Name: id,
    Namespace: 'default',
    Type: 'service',
    Datacenters: ['*'],
    Meta: { nom_project: `bench-project-${i % 25}`, nom_branch: `branch-${i}`, nom_commit: `c0ffee${String(version).padStart(2, '0')}${i}`, nom_environment: i % 25 === 0 ? 'main' : 'review' },
    TaskGroups: [
      {
        Name: 'web',
        Count: 1,
        // The default 300 MB each would exhaust the node's disk long before 500.
        EphemeralDisk: { SizeMB: 10 },
        Update: { MaxParallel: 1, MinHealthyTime: 0, HealthyDeadline: 60 * SECONDS, ProgressDeadline: 120 * SECONDS, HealthCheck: 'task_states' },
        Tasks: [{ Name: 'web', Driver: 'mock_driver', Config: { run_for: '24h' }, Resources: { CPU: 1, MemoryMB: 10 }, LogConfig: { MaxFiles: 1, MaxFileSizeMB: 1 } }],
      },
    ],
  } as unknown as NomadJob;
}

async function registerAll(from: number, to: number): Promise<void> {
  const ids = Array.from({ length: to - from }, (_, k) => from + k);
  for (let k = 0; k < ids.length; k += 25) await Promise.all(ids.slice(k, k + 25).map((i) => nomad.jobs.register(mockJob(i))));
  // Until every allocation runs: the page then has 500 jobs, deployments and allocations to show.
  for (;;) {
    const running = (await nomad.allocations.list({ namespace: 'default' })).filter((a) => a.JobID.startsWith('bench-console-') && a.ClientStatus === 'running').length;
    if (running >= to) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(size: number, browser: Awaited<ReturnType<typeof launchBrowser>>): Promise<{ render: number[]; event: number[] }> {
  const render: number[] = [];
  const event: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const context = await visitor(browser);
    const page = await context.newPage();
    await page.goto(CONSOLE);
    await page.fill('#token', process.env.NOMAD_TOKEN!);
    const began = Date.now();
    await page.click('button[type=submit]');
    await page.waitForFunction((n) => document.querySelectorAll('tr[data-job^="default/bench-console-"]').length === n, size, { timeout: 120_000, polling: 'raf' });
    render.push(Date.now() - began);
    // Following now (the header says live): one job's new version, through Nomad's event stream.
    await page.waitForSelector('.live.on');
    const i = round;
    const id = mockJob(i).ID;
    const registered = Date.now();
    await nomad.jobs.register(mockJob(i, round + 1));
    await page.waitForFunction(
      ([job, commit]) => document.querySelector(`tr[data-job="default/${job}"] .version`)?.textContent?.includes(commit!.slice(0, 8)),
      [id, mockJob(i, round + 1).Meta!.nom_commit!],
      { timeout: 30_000, polling: 'raf' },
    );
    event.push(Date.now() - registered);
    await context.close();
  }
  return { render, event };
}

async function main(): Promise<void> {
  const browser = await launchBrowser();
  const results = new Map<number, { render: number[]; event: number[] }>();
  try {
    let registered = 0;
    for (const size of SIZES) {
      const began = Date.now();
      await registerAll(registered, size);
      registered = size;
      console.log(`${size} deployments registered and running (${((Date.now() - began) / 1000).toFixed(0)} s)`);
      results.set(size, await measure(size, browser));
      const r = results.get(size)!;
      console.log(`  first full render: median ${median(r.render)} ms (${r.render.join(', ')})`);
      console.log(`  one event applied: median ${median(r.event)} ms (${r.event.join(', ')})`);
    }
  } finally {
    await browser.close();
    const ids = (await nomad.jobs.list({ namespace: 'default', prefix: 'bench-console-' })).map((j) => j.ID);
    for (let k = 0; k < ids.length; k += 25) await Promise.all(ids.slice(k, k + 25).map((id) => nomad.jobs.deregister(id, { namespace: 'default', purge: true })));
    nomad.close();
  }
  const [small, large] = SIZES.map((s) => results.get(s)!);
  console.log('\n| | 50 deployments | 500 deployments | 500 / 50 |\n|---|---|---|---|');
  console.log(`| first full render, median | ${median(small!.render)} ms | ${median(large!.render)} ms | ${(median(large!.render) / median(small!.render)).toFixed(2)} |`);
  console.log(`| one event applied, median | ${median(small!.event)} ms | ${median(large!.event)} ms | ${(median(large!.event) / median(small!.event)).toFixed(2)} |`);
}

await main();
