/**
 * Review apps that sleep when idle and wake on the next request, on the local cluster: a review
 * app with a short NOMAD_VAR_SLEEP_AFTER is scaled to zero by the router, keeps its hostname,
 * and the next HTTPS request through Caddy wakes it and gets the app's own answer. Ten requests
 * during one wake all succeed and cause one scale-up; a websocket that wakes the app works; main
 * never sleeps; a job that claims a sleeping app's hostname gets none of its traffic.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NomadClient } from '../../src/nomad/client.js';
import { nomadConfig } from '../../src/nomad/config.js';
import { waitFor } from '../../src/cluster/processes.js';
import { renderJob } from '../../src/render/render-job.js';
import { echoSocket, routerLogSince, routerStatus, viaHttps } from '../helpers/through-caddy.js';
import { nom, pipeline } from '../helpers/pipeline.js';
import { launchBrowser, visitor } from '../helpers/browser.js';

const TAG = process.env.NOM_TEST_IMAGE_TAG!;
const PROJECT = 'nom-sleep';
const nomad = new NomadClient(nomadConfig(process.env));
const operator = { PATH: process.env.PATH!, NOMAD_ADDR: process.env.NOMAD_ADDR!, NOMAD_TOKEN: process.env.NOMAD_TOKEN!, NOM_NOMAD_CONFIG_FILE: '/nonexistent' };
const deploy = (branch: string, extra: Record<string, string> = {}) => nom(['deploy'], pipeline(TAG, { NOMAD_VAR_COUNT_CANARIES: '0', ...extra }, branch, PROJECT));
const jobOf = (out: string) => /deployed (\S+) version/.exec(out)?.[1] ?? assert.fail(`no job in:\n${out}`);
let mainJob = '';
let reviewJob = '';
let hijack = '';
const host = (job = reviewJob) => `${job}.nom.localhost`;

const running = async (job: string) => (await nomad.jobs.allocations(job, { namespace: 'default' })).filter((a) => a.ClientStatus === 'running' || a.ClientStatus === 'pending').length;

/** Waits until the router has put the app to sleep: no allocation left, and its route waits to wake it. */
async function asleep(job = reviewJob): Promise<number> {
  let allocations = -1;
  await waitFor(async () => ((allocations = await running(job)) === 0 && routerStatus().table.routes.some((r: { host: string; asleep?: boolean }) => r.host === host(job) && r.asleep) ? true : undefined), {
    timeoutMs: 60_000,
    intervalMs: 250,
    onTimeout: () => new Error(`${job} did not go to sleep: ${allocations} allocation(s) running; router: ${JSON.stringify(routerStatus().sleep)}`),
  });
  return Date.now();
}

/** The scale-ups of the review app since `since` (ms), as Nomad recorded them. */
async function wakes(since: number): Promise<number> {
  const status = await nomad.jobs.scaleStatus(reviewJob, 'default');
  return Object.values(status.TaskGroups).flatMap((g) => g.Events ?? []).filter((e) => e.Meta?.nom_wake === 'true' && e.Time / 1e6 >= since - 1000).length;
}

before(async () => {
  const main = await deploy('main');
  assert.equal(main.code, 0, main.out);
  mainJob = jobOf(main.out);
  const review = await deploy('feature-sleepy', { NOMAD_VAR_SLEEP_AFTER: '6s' });
  assert.equal(review.code, 0, review.out);
  reviewJob = jobOf(review.out);
});

after(async () => {
  for (const id of [mainJob, reviewJob, hijack]) if (id) await nomad.jobs.deregister(id, { namespace: 'default', purge: true }).catch(() => undefined);
  nomad.close();
});

describe('review apps that sleep and wake', () => {
  it('puts an idle review app to sleep, keeping its hostname; main stays awake', async () => {
    const first = await viaHttps(host());
    assert.equal(first.status, 200, first.body);
    await asleep();
    // Registered still, its hostname still its own.
    const job = await nomad.jobs.read(reviewJob, 'default');
    assert.equal(job?.Stop, false);
    assert.ok(routerStatus().records.some((r: { host: string; owner: string }) => r.host === host() && r.owner === `default/${reviewJob}`));
    assert.equal(await running(mainJob), 1, 'main went to sleep');
    const status = await nom(['status', reviewJob], operator);
    assert.match(status.out, /asleep since .* ago \(asleep after 6s without a request\): the next request wakes it/);
    const urls = await nom(['urls'], operator);
    assert.match(urls.out, new RegExp(`https://${host()}\\s+default/${reviewJob}\\s+asleep`));
    assert.ok(!routerStatus().sleep.some((s: { job: string }) => s.job === `default/${mainJob}`), 'main is among the jobs that may sleep');
  });

  it('shows it asleep in the console, with its last request', async () => {
    const browser = await launchBrowser();
    try {
      const page = await (await visitor(browser)).newPage();
      await page.goto(process.env.NOM_CONSOLE_URL!);
      await page.fill('#token', process.env.NOMAD_TOKEN!);
      await page.click('button[type=submit]');
      const row = page.locator(`tr[data-job="default/${reviewJob}"]`);
      await row.locator('[data-health="asleep"]').waitFor({ timeout: 30_000 });
      assert.match(await row.innerText(), /a request wakes it/);
      assert.match(await row.locator('.last-request').innerText(), /last request \S+ ago/);
      // Main is awake, and says healthy.
      await page.locator(`tr[data-job="default/${mainJob}"] [data-health="healthy"]`).waitFor({ timeout: 30_000 });
    } finally {
      await browser.close();
    }
  });

  it('wakes it on the next request: ten at once all get the app\'s 200, and Nomad sees one scale-up', async () => {
    const since = Date.now();
    const began = Date.now();
    const replies = await Promise.all(Array.from({ length: 10 }, () => viaHttps(host(), '/')));
    const seconds = (Date.now() - began) / 1000;
    for (const r of replies) {
      assert.equal(r.status, 200, r.body);
      assert.match(r.body, /<h1>hi world<\/h1>/);
    }
    assert.equal(await wakes(since), 1);
    assert.equal(await running(reviewJob), 1);
    // The router asked the app's check itself rather than wait half an interval for Nomad's first.
    assert.match(routerLogSince(new Date(since)), new RegExp(`default/${reviewJob}: \\w+ answers its checks: routed now`));
    console.log(`# woke in ${seconds.toFixed(1)}s for ten requests at once`);
  });

  it('gives a hostname claim made while the owner sleeps no traffic: the request wakes the owner', async () => {
    await asleep();
    const rendered = renderJob(
      { CI_PROJECT_PATH_SLUG: 'sleep-hijack', CI_PROJECT_NAME: 'sleep-hijack', CI_COMMIT_REF_SLUG: 'main', CI_COMMIT_SHA: TAG, CI_REGISTRY_IMAGE: 'nom.local/examples/hello-world', BASE_DOMAIN: 'nom.localhost', NOMAD_VAR_COUNT_CANARIES: '0', NOMAD_VAR_CHECK_PATH: '/healthcheck' },
      { renderId: 'sleep-hijack' },
    );
    assert.equal(rendered.noDeploy, false);
    const job = rendered.job;
    job.TaskGroups[0]!.Services![0]!.Tags = [`https://${host()}`];
    hijack = job.ID;
    await nomad.jobs.register(job);
    await waitFor(
      async () => (routerStatus().table.conflicts.some((c: { host: string; claimant: string }) => c.host === host() && c.claimant === `default/${job.ID}`) ? true : undefined),
      { timeoutMs: 60_000, onTimeout: () => new Error('the claim on the sleeping app\'s hostname is not refused') },
    );
    const since = Date.now();
    const reply = await viaHttps(host(), '/');
    assert.equal(reply.status, 200, reply.body);
    // Answered by the owner's new allocation (which Nomad may not list as running yet: the router routes it once it answers its check).
    const owners = (await nomad.jobs.allocations(reviewJob, { namespace: 'default' })).filter((a) => a.DesiredStatus === 'run').map((a) => a.ID);
    assert.ok(owners.includes(String(reply.headers['x-instance'])), `the request was not answered by the owner: ${String(reply.headers['x-instance'])} is none of ${owners.join(', ')}`);
    assert.equal(await wakes(since), 1);
    await nomad.jobs.deregister(hijack, { namespace: 'default', purge: true });
  });

  it('wakes it for a websocket, which then echoes', async () => {
    await asleep();
    const { ws, echo } = await echoSocket(host());
    assert.equal(await echo('good morning'), 'good morning');
    ws.close();
  });

  it('sleeps and wakes by hand, main too: nom sleep, then a request or nom wake', async () => {
    const slept = await nom(['sleep', mainJob], operator);
    assert.equal(slept.code, 0, slept.out);
    assert.match(slept.out, /is asleep \(\S+ was 1\): the next request wakes it/);
    await asleep(mainJob);
    const reply = await viaHttps(host(mainJob));
    assert.equal(reply.status, 200, reply.body);
    // Main does not go back to sleep by itself; by hand it does, and nom wake wakes it.
    const again = await nom(['sleep', mainJob], operator);
    assert.equal(again.code, 0, again.out);
    await asleep(mainJob);
    const woke = await nom(['wake', mainJob], operator);
    assert.equal(woke.code, 0, woke.out);
    assert.match(woke.out, /is waking \(\S+ to 1\)/);
    await waitFor(async () => ((await viaHttps(host(mainJob))).status === 200 && (await running(mainJob)) === 1 ? true : undefined), { timeoutMs: 60_000, onTimeout: () => new Error('not awake after nom wake') });
    const awake = await nom(['wake', mainJob], operator);
    assert.equal(awake.code, 1);
    assert.match(awake.out, /is awake/);
  });
});
