/**
 * What a hostile (or unlucky) pipeline cannot take, on the real cluster: another project's
 * hostname (recorded in the cluster, so it holds across redeploys, router restarts and a second
 * ingress), the cluster's own names, the main job through a branch that slugs to main, another
 * project's job through a name that slugs alike, a running app's secrets through a failed
 * deploy, or every later deploy through a planted lock. The steps share project A's job and run
 * in order.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cacheDir, findBinary } from '../../src/cluster/binaries.js';
import { startIngress } from '../../src/cluster/local-ingress.js';
import { localLayout, readLocalState } from '../../src/cluster/local-layout.js';
import { isRunning, readPid, waitFor } from '../../src/cluster/processes.js';
import { NomadClient } from '../../src/nomad/client.js';
import { nomadConfig } from '../../src/nomad/config.js';
import { renderJob } from '../../src/render/render-job.js';
import { DEFAULT_HSTS, PRIVATE_RANGES } from '../../src/router/caddy-config.js';
import type { RouterConfig } from '../../src/router/router-config.js';
import type { RouterStatus } from '../../src/router/router.js';
import { freePort } from '../helpers/free-port.js';
import { containerEnv, nom, pipeline } from '../helpers/pipeline.js';

const NOM = fileURLToPath(new URL('../../bin/nom', import.meta.url));
const TAG = process.env.NOM_TEST_IMAGE_TAG!;
const HTTPS_PORT = Number(process.env.NOM_INGRESS_HTTPS!.split(':')[1]);
const CA = readFileSync(process.env.NOM_CA_CERT!);
const layout = localLayout(process.env.NOM_HOME!);
const nomad = new NomadClient(nomadConfig(process.env));
const work = mkdtempSync(join(tmpdir(), 'nom-boundaries-'));
const A = 'nom-own-a';
const HOST = 'shop-it.nom.localhost';
const stops: (() => Promise<void>)[] = [];
after(async () => {
  for (const stop of stops) await stop().catch(() => undefined);
  for (const job of [A, 'nom-own-b', 'nom-own-squat']) await nomad.jobs.deregister(job, { purge: true }).catch(() => undefined);
  nomad.close();
  rmSync(work, { recursive: true, force: true });
});

/** Project A on main, at HOST, with the secret TOKEN. */
const projectA = (secret: string, extra: Record<string, string> = {}) =>
  pipeline(TAG, { NOMAD_VAR_HOSTNAMES: `["${HOST}"]`, NOMAD_SECRET_TOKEN: secret, NOMAD_VAR_COUNT_CANARIES: '0', ...extra }, 'main', A);

const routerStatus = async (url = readLocalState(process.env.NOM_HOME!)!.ingress!.routerStatus): Promise<RouterStatus> => (await fetch(url)).json() as Promise<RouterStatus>;

/** Which allocation Caddy's HTTPS listener sends a request for HOST to (the demo app says it in X-Instance). */
const servedBy = () =>
  new Promise<string>((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port: HTTPS_PORT, servername: HOST, path: '/', ca: CA, agent: false, headers: { Host: HOST } }, (res) => {
        res.resume().on('end', () => resolve(String(res.headers['x-instance'])));
      })
      .on('error', reject);
  });

const runningAllocs = async (job: string) => (await nomad.jobs.allocations(job)).filter((a) => a.ClientStatus === 'running').map((a) => a.ID).sort();
const currentVersion = async (job: string) => (await nomad.jobs.read(job, 'default'))!.Version;
/** Every variable of the job's secrets (both slots) and nom's deploy record, with its index. */
const secretsState = async (job: string) =>
  (await Promise.all([nomad.variables.list(`nomad/jobs/${job}`, 'default'), nomad.variables.list(`nom/deploys/${job}/secrets`, 'default')])).flat().map((v) => `${v.Path}@${v.ModifyIndex}`).sort();

describe('what a pipeline touches', () => {
  it('a deploy claims its hostname, and the router records the owner in the cluster', async () => {
    const run = await nom(['deploy'], projectA('first'));
    assert.equal(run.code, 0, run.out);
    await waitFor(async () => ((await routerStatus()).records?.some((r) => r.host === HOST && r.owner === `default/${A}`) ? true : undefined), {
      timeoutMs: 30_000, onTimeout: () => new Error(`the router recorded no owner of ${HOST}`),
    });
  });

  it('another project deploying with that hostname is refused before submitting, naming the owner', async () => {
    const run = await nom(['deploy'], pipeline(TAG, { NOMAD_VAR_HOSTNAMES: `["${HOST}"]` }, 'main', 'nom-own-b'));
    assert.equal(run.code, 2, run.out);
    assert.match(run.out, new RegExp(`NOMAD_VAR_HOSTNAMES: ${HOST.replaceAll('.', '\\.')} belongs to the job default/${A}`));
    assert.equal(await nomad.jobs.read('nom-own-b', 'default'), undefined, 'the refused job was registered');
  });

  it('a job sent straight to Nomad with that hostname gets no traffic: not after the owner redeploys, not after the router restarts, not on a second ingress', async () => {
    const squat = renderJob({ CI_PROJECT_PATH_SLUG: 'nom-own-squat', CI_PROJECT_NAME: 'squat', CI_COMMIT_REF_SLUG: 'main', CI_COMMIT_SHA: `${TAG}-v2`, CI_REGISTRY_IMAGE: 'nom.local/examples/hello-world', BASE_DOMAIN: 'nom.localhost', NOMAD_VAR_CHECK_PATH: '/healthcheck', NOMAD_VAR_HOSTNAMES: `["${HOST}"]` }, { renderId: 'squat' });
    assert.equal(squat.noDeploy, false);
    if (squat.noDeploy) return;
    await nomad.jobs.register(squat.job);
    await waitFor(async () => ((await runningAllocs('nom-own-squat')).length ? true : undefined), { timeoutMs: 60_000, onTimeout: () => new Error('the squatter never ran') });

    // The owner's allocations are now younger than the squatter's registrations.
    const redeploy = await nom(['deploy'], projectA('first', { NOMAD_VAR_MEMORY: '310' }));
    assert.equal(redeploy.code, 0, redeploy.out);
    const router = readPid(layout.routerPid)!;
    process.kill(router, 'SIGTERM');
    await waitFor(async () => (isRunning(router) ? undefined : true), { timeoutMs: 10_000, onTimeout: () => new Error('the router did not stop') });
    const up = spawnSync(process.execPath, [NOM, 'up'], { env: process.env, encoding: 'utf8' });
    assert.equal(up.status, 0, up.stderr);

    const owner = await runningAllocs(A);
    await waitFor(async () => ((await routerStatus()).table.routes.some((r) => r.host === HOST && r.upstreams.length) ? true : undefined), { timeoutMs: 30_000, onTimeout: () => new Error('no route after the restart') });
    for (let i = 0; i < 20; i++) {
      const alloc = await servedBy();
      assert.ok(owner.includes(alloc), `request ${i} went to ${alloc}, not to ${A}`);
    }
    const conflicts = (await routerStatus()).table.conflicts;
    assert.ok(conflicts.some((c) => c.host === HOST && c.claimant === 'default/nom-own-squat'), JSON.stringify(conflicts));

    // A second router, started afresh on other ports, routes the name to the same owner.
    const second = localLayout(join(work, 'second'));
    const statusPort = await freePort();
    const config: RouterConfig = {
      caddyAdmin: '', statusPort,
      ingress: {
        httpsPort: await freePort(), httpPort: await freePort(), bindHost: '127.0.0.1', adminListen: `127.0.0.1:${await freePort()}`,
        noInstancePort: await freePort(), tls: { mode: 'internal' }, storageDir: join(second.caddyDir, 'data'), hsts: DEFAULT_HSTS, trustedProxies: PRIVATE_RANGES,
      },
    };
    await startIngress({
      layout: second, config: { ...config, caddyAdmin: `http://${config.ingress.adminListen}` }, caddyBinary: findBinary('caddy', process.env, cacheDir(process.env, homedir()))!,
      nomadAddress: process.env.NOMAD_ADDR!, token: process.env.NOMAD_TOKEN!, env: process.env, say: () => {}, fail: (m) => new Error(m), nomCommand: [process.execPath, NOM],
    });
    stops.push(async () => {
      for (const file of [second.routerPid, second.caddyPid]) process.kill(readPid(file)!, 'SIGTERM');
    });
    const route = await waitFor(async () => (await routerStatus(`http://127.0.0.1:${statusPort}/status`)).table.routes.find((r) => r.host === HOST && r.upstreams.length), {
      timeoutMs: 30_000, onTimeout: () => new Error('the second router never routed the hostname'),
    });
    assert.equal(route.owner, `default/${A}`);
    const addresses = await Promise.all(owner.map(async (id) => Object.values((await nomad.allocations.read(id, { namespace: 'default' }))!.AllocatedResources?.Shared?.Ports ?? []).map((p) => `${p.HostIP}:${p.Value}`)));
    assert.ok(route.upstreams.every((u) => addresses.flat().includes(u)), `the second router sends ${route.upstreams} to others than ${A} (${addresses.flat()})`);
  });

  it('the cluster\'s own domain and wildcards are refused with exit 2', async () => {
    for (const hostnames of ['["nom.localhost"]', '["*.nom.localhost"]']) {
      const run = await nom(['deploy'], pipeline(TAG, { NOMAD_VAR_HOSTNAMES: hostnames }, 'main', 'nom-own-b'));
      assert.equal(run.code, 2, run.out);
      assert.match(run.out, /NOMAD_VAR_HOSTNAMES: .* (is the cluster's own domain|is a wildcard)/);
    }
  });

  it('a branch that slugs to main deploys and stops nothing; a stop of another project\'s job is refused; the main job and its secrets are untouched', async () => {
    const version = await currentVersion(A);
    const secrets = await secretsState(A);
    const sneaky = projectA('sneaky', { CI_COMMIT_REF_NAME: 'main-' });
    const deploy = await nom(['deploy'], sneaky);
    assert.equal(deploy.code, 2, deploy.out);
    assert.match(deploy.out, /the branch "main-" would deploy as "main"/);
    const stop = await nom(['stop', '--purge'], sneaky);
    assert.equal(stop.code, 2, stop.out);
    // Project nom-own, branch a: its review app's ID is A's.
    const lookalike = await nom(['stop', '--purge'], pipeline(TAG, {}, 'a', 'nom-own'));
    assert.equal(lookalike.code, 2, lookalike.out);
    assert.match(lookalike.out, new RegExp(`job ${A} belongs to project ${A}, branch main \\(main\\), not to this pipeline's project nom-own, branch a`));
    assert.equal(await currentVersion(A), version);
    assert.equal((await nomad.jobs.read(A, 'default'))!.Status, 'running');
    assert.deepEqual(await secretsState(A), secrets);
  });

  it('a deploy whose plan cannot place changes no secret and leaves the running allocation alone', async () => {
    const secrets = await secretsState(A);
    const running = await runningAllocs(A);
    const run = await nom(['deploy'], projectA('second', { NOMAD_VAR_MEMORY: '1000000' }));
    assert.equal(run.code, 4, run.out);
    assert.match(run.out, /no secret was changed/);
    assert.deepEqual(await secretsState(A), secrets, 'a secrets variable was written');
    assert.deepEqual(await runningAllocs(A), running);
    assert.equal(await containerEnv(nomad, A, await currentVersion(A), 'TOKEN'), 'first');
  });

  it('a planted lock blocks no deploy, and a rollback after a secret change runs with the old secret', async () => {
    await nomad.variables.write(`nom/deploys/${A}/lock`, 'default', { holder: 'a hostile pipeline', expires: 'never' }, 0);
    const run = await nom(['deploy'], projectA('second'));
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /taking over the deploy lock of nom-own-a: it cannot be read as a nom deploy lock/);
    assert.equal(await containerEnv(nomad, A, await currentVersion(A), 'TOKEN'), 'second');

    const back = await nom(['rollback', A], { PATH: process.env.PATH!, NOMAD_ADDR: process.env.NOMAD_ADDR!, NOMAD_TOKEN: process.env.NOMAD_TOKEN!, NOM_NOMAD_CONFIG_FILE: '/nonexistent' });
    assert.equal(back.code, 0, back.out);
    assert.equal(await containerEnv(nomad, A, await currentVersion(A), 'TOKEN'), 'first', 'the rolled-back version reads the secret it was deployed with');
  });
});
