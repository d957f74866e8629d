/**
 * The nom console in a real browser (Debian's chromium, driven by playwright-core) against the
 * local cluster, at its own hostname through Caddy: sign in with a Nomad token, see the demo app
 * under its project, watch a deploy arrive without a reload, stop a review app from its page. A
 * wrong token gets a clear message and no data, another namespace's token sees nothing of this
 * one, the console passes no call to Nomad but the page's own, and no secret value reaches the
 * page. The overview's screenshot in the README is made here.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { NomadClient } from '../../src/nomad/client.js';
import { nomadConfig } from '../../src/nomad/config.js';
import { waitFor } from '../../src/cluster/processes.js';
import { renderJob } from '../../src/render/render-job.js';
import { launchBrowser, visitor } from '../helpers/browser.js';
import { routerStatus } from '../helpers/through-caddy.js';
import { nom, pipeline } from '../helpers/pipeline.js';

const TAG = process.env.NOM_TEST_IMAGE_TAG!;
const CONSOLE = process.env.NOM_CONSOLE_URL!;
const PROJECT = 'nom-console';
const OTHER_NS = 'nom-console-b';
const SECRET = `secret-${randomBytes(8).toString('hex')}`;
const nomad = new NomadClient(nomadConfig(process.env));
const operator = { PATH: process.env.PATH!, NOMAD_ADDR: process.env.NOMAD_ADDR!, NOMAD_TOKEN: process.env.NOMAD_TOKEN!, NOM_NOMAD_CONFIG_FILE: '/nonexistent' };
let browser: Browser;
let otherToken = '';
/** Every response body any page of these tests loaded: none may hold the secret. */
const bodies: { url: string; body: string }[] = [];

/** A GitLab pipeline of the project: its run, its commit's page and who started it are what the console links. */
const deploy = (tag: string, branch = 'main', job = 41) =>
  nom(['deploy'], pipeline(tag, {
    NOMAD_VAR_COUNT_CANARIES: '0', NOMAD_SECRET_API_KEY: SECRET, GITLAB_USER_LOGIN: 'ada',
    CI_PROJECT_URL: 'https://gitlab.example.com/acme/nom-console', CI_JOB_URL: `https://gitlab.example.com/acme/nom-console/-/jobs/${job}`,
  }, branch, PROJECT));
const jobOf = (out: string) => /deployed (\S+) version/.exec(out)?.[1] ?? assert.fail(`no job in:\n${out}`);
let mainJob = '';
let reviewJob = '';
let hijack = '';

async function open(token: string | undefined, viewport?: { width: number; height: number }): Promise<Page> {
  const context = await visitor(browser, viewport);
  const page = await context.newPage();
  // Streams (events, logs) have no body to keep; everything else is read whole.
  page.on('response', (r) => {
    if (/\/v1\/(event\/stream|client\/fs\/logs)/.test(r.url())) return;
    r.text().then((body) => bodies.push({ url: r.url(), body }), () => undefined);
  });
  await page.goto(CONSOLE);
  if (token !== undefined) {
    await page.fill('#token', token);
    await page.click('button[type=submit]');
  }
  return page;
}

before(async () => {
  browser = await launchBrowser();
  const main = await deploy(TAG);
  assert.equal(main.code, 0, main.out);
  mainJob = jobOf(main.out);
  // The pipeline run again (another CI job, same commit) changes nothing: no restart for a new link.
  const rerun = await deploy(TAG, 'main', 42);
  assert.match(rerun.out, /no changes: version 0 is deployed/);
  const review = await deploy(TAG, 'feature-x');
  assert.equal(review.code, 0, review.out);
  reviewJob = jobOf(review.out);
  const token = await nom(['token', 'create', '--namespace', OTHER_NS], operator);
  assert.equal(token.code, 0, token.out);
  otherToken = /^([0-9a-f-]{36})$/m.exec(token.out)?.[1] ?? assert.fail(token.out);
});

after(async () => {
  await browser?.close();
  for (const id of [mainJob, reviewJob, hijack]) if (id) await nomad.jobs.deregister(id, { namespace: 'default', purge: true }).catch(() => undefined);
  nomad.close();
});

describe('the nom console', () => {
  it('turns a wrong token away with a clear message, and shows no data', async () => {
    const page = await open('00000000-0000-0000-0000-000000000000');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Nomad refuses this token/);
    assert.equal(await page.locator('#token').count(), 1, 'not still at sign-in');
    assert.ok(!(await page.content()).includes(PROJECT), 'a project shows to a wrong token');
    await page.context().close();
  });

  it('shows the demo app under its project with its URL and health, live: a second deploy changes its version without a reload', async () => {
    const page = await open(process.env.NOMAD_TOKEN!);
    const row = page.locator(`section[data-project="${PROJECT}"] tr[data-job="default/${mainJob}"]`);
    await row.waitFor({ timeout: 30_000 });
    await page.locator(`tr[data-job="default/${mainJob}"] a[href^="https://"]`).first().waitFor({ timeout: 30_000 });
    const links = await row.locator('a[href^="https://"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    // Through the ingress's own port, as the console is reached.
    const app = `https://${mainJob}.nom.localhost:${new URL(CONSOLE).port}`;
    assert.ok(links.includes(app), `no link to ${app} in ${links}`);
    await page.waitForFunction((job) => document.querySelector(`tr[data-job="default/${job}"] [data-health]`)?.textContent?.startsWith('healthy 1/1'), mainJob, { timeout: 30_000 });
    assert.match(await row.innerText(), /v0/);
    assert.match(await row.innerText(), /by ada/);
    assert.ok(links.includes(`https://gitlab.example.com/acme/nom-console/-/commit/${TAG}`), `no commit link in ${links}`);
    assert.ok(links.includes('https://gitlab.example.com/acme/nom-console/-/jobs/41'), `no link to the first run in ${links}`);
    // The review app sits under the same project, by its branch.
    assert.match(await page.locator(`tr[data-job="default/${reviewJob}"]`).innerText(), /feature-x/);
    await page.screenshot({ path: 'docs/images/console-overview.png' });

    // A mark on the window: gone if the page reloads.
    await page.evaluate(() => ((window as unknown as { mark: number }).mark = 1));
    const second = await deploy(`${TAG}-v2`);
    assert.equal(second.code, 0, second.out);
    await page.waitForFunction((job) => /v1/.test(document.querySelector(`tr[data-job="default/${job}"] .version`)?.textContent ?? ''), mainJob, { timeout: 10_000 });
    assert.equal(await page.evaluate(() => (window as unknown as { mark?: number }).mark), 1, 'the page reloaded');
    await page.context().close();
  });

  it('shows a deployment\'s allocations, versions with their commits, and its log as it is written; readable on a phone', async () => {
    const page = await open(process.env.NOMAD_TOKEN!, { width: 390, height: 844 });
    await page.locator(`tr[data-job="default/${mainJob}"] a`).first().click();
    await page.locator('tr[data-alloc]').first().waitFor();
    // Versions arrive in their own read, after the allocations.
    await page.locator('table.versions tr[data-version]').first().waitFor();
    assert.match(await page.locator('table.versions').innerText(), new RegExp(`v1[\\s\\S]*${TAG.slice(0, 8)}[\\s\\S]*by ada`));
    // The running allocation's log, followed: the demo app says where it listens.
    await page.waitForFunction(() => /hello-world listening on/.test(document.querySelector('pre[aria-label="log"]')?.textContent ?? ''), undefined, { timeout: 15_000 });
    // Nothing wider than the phone: tables stack.
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'the page scrolls sideways on a phone');
    await page.context().close();
  });

  it('stops a review app from its page, after asking, and Nomad no longer has it', async () => {
    const page = await open(process.env.NOMAD_TOKEN!);
    await page.locator(`tr[data-job="default/${reviewJob}"] a`).first().click();
    await page.getByRole('button', { name: 'Stop review app' }).click();
    const dialog = page.locator('dialog[open]');
    assert.match(await dialog.innerText(), /Stop the review app feature-x/);
    await dialog.getByRole('button', { name: 'Yes, do it' }).click();
    await dialog.getByRole('status').waitFor();
    assert.match(await dialog.getByRole('status').innerText(), /stop: Nomad accepted it/);
    assert.equal(await nomad.jobs.read(reviewJob, 'default'), undefined, 'Nomad still has the review app');
    await dialog.getByRole('button', { name: 'Close' }).click();
    // Back on the overview, without a reload, the review app is gone.
    await page.click('a[href="#/"]');
    await page.locator(`tr[data-job="default/${mainJob}"]`).waitFor();
    await page.locator(`tr[data-job="default/${reviewJob}"]`).waitFor({ state: 'detached', timeout: 5_000 });
    await page.context().close();
  });

  it('shows a token of another namespace none of this namespace\'s apps, nor their routes', async () => {
    const page = await open(otherToken);
    await page.getByText('No deployments this token may see.').waitFor({ timeout: 15_000 });
    const ingress = await page.evaluate(async (token) => (await fetch('/api/ingress', { headers: { 'X-Nomad-Token': token } })).json(), otherToken);
    assert.deepEqual(ingress.routes, []);
    await page.context().close();
  });

  it('keeps its hostname against a job that claims it: the claim is refused and the page still answers there', async () => {
    const rendered = renderJob(
      { CI_PROJECT_PATH_SLUG: 'hijack', CI_PROJECT_NAME: 'hijack', CI_COMMIT_REF_SLUG: 'main', CI_COMMIT_SHA: TAG, CI_REGISTRY_IMAGE: 'nom.local/examples/hello-world', BASE_DOMAIN: 'nom.localhost', NOMAD_VAR_COUNT_CANARIES: '0' },
      { renderId: 'hijack' },
    );
    assert.equal(rendered.noDeploy, false);
    const job = rendered.job;
    job.TaskGroups[0]!.Services![0]!.Tags = [`https://${new URL(CONSOLE).hostname}`];
    hijack = job.ID;
    await nomad.jobs.register(job);
    await waitFor(
      async () => (routerStatus().table.conflicts.some((c: { host: string; claimant: string }) => c.host === new URL(CONSOLE).hostname && c.claimant === `default/${job.ID}`) ? true : undefined),
      { timeoutMs: 60_000, onTimeout: () => new Error('the claim on the console\'s hostname is not refused') },
    );
    const page = await open(undefined);
    assert.equal(await page.title(), 'nom console');
    await page.context().close();
  });

  it('passes no call to Nomad but the page\'s own: not the variables where secrets live, not ACLs', async () => {
    const page = await open(undefined);
    const status = (path: string, method = 'GET') => page.evaluate(async ([p, m, t]) => (await fetch(p!, { method: m, headers: { 'X-Nomad-Token': t! } })).status, [path, method, process.env.NOMAD_TOKEN!]);
    assert.equal(await status(`/v1/var/nomad/jobs/${mainJob}`), 403);
    assert.equal(await status('/v1/vars'), 403);
    assert.equal(await status('/v1/acl/tokens'), 403);
    assert.equal(await status('/v1/acl/bootstrap', 'POST'), 403);
    assert.equal(await status('/v1/job/../acl/tokens'), 403);
    assert.equal(await status('/v1/jobs'), 200);
    await page.context().close();
  });

  it('never shows a secret value: no response the page loaded holds one', () => {
    assert.ok(bodies.length > 10, `only ${bodies.length} responses recorded`);
    const leaks = bodies.filter((b) => b.body.includes(SECRET)).map((b) => b.url);
    assert.deepEqual(leaks, []);
  });
});
