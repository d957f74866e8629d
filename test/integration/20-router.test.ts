/**
 * Routing through the real Caddy that `nom up` started, configured by `nom router` from the real
 * Nomad: HTTPS at each hostname with the internal CA, load balancing, canary hostnames, no
 * hijacking, unknown hostnames, HSTS, websockets across config pushes, restarts.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { localLayout } from '../../src/cluster/local-layout.js';
import { isRunning, portInUse, readPid, runsWith, waitFor } from '../../src/cluster/processes.js';
import type { NomadJob } from '../../src/jobspec/nomad-job.js';
import { NomadClient } from '../../src/nomad/client.js';
import { nomadConfig } from '../../src/nomad/config.js';
import { renderJob } from '../../src/render/render-job.js';
import { CA, checkCanaryRouting, echoSocket, fetchOnce, HTTPS_PORT, routerStatus, until, viaHttp, viaHttps } from '../helpers/through-caddy.js';

const NOM = fileURLToPath(new URL('../../bin/nom', import.meta.url));
const TAG = process.env.NOM_TEST_IMAGE_TAG!;
const layout = localLayout(process.env.NOM_HOME!);
const nomad = new NomadClient(nomadConfig(process.env));
const jobs = new Set<string>();
after(async () => {
  for (const job of jobs) await nomad.jobs.deregister(job, { purge: true }).catch(() => undefined);
  nomad.close();
});

/** The house job for project `project` on main, image tag `tag`, as a pipeline would render it. */
function houseJob(project: string, tag: string, extra: Record<string, string> = {}): NomadJob {
  const result = renderJob(
    {
      CI_PROJECT_PATH_SLUG: project, CI_PROJECT_NAME: project, CI_COMMIT_REF_SLUG: 'main', CI_COMMIT_SHA: tag,
      CI_REGISTRY_IMAGE: 'nom.local/examples/hello-world', BASE_DOMAIN: 'nom.localhost', NOMAD_VAR_CHECK_PATH: '/healthcheck', ...extra,
    },
    { renderId: 'router-test' },
  );
  assert.equal(result.noDeploy, false);
  jobs.add(result.job.ID);
  return result.job;
}

/** `nom deploy` as a pipeline on main would run it; resolves when it exits 0. */
function nomDeploy(project: string, tag: string, extra: Record<string, string> = {}): Promise<void> {
  jobs.add(project);
  const env = {
    PATH: process.env.PATH!, NOMAD_ADDR: process.env.NOMAD_ADDR!, NOMAD_TOKEN: process.env.NOMAD_TOKEN!,
    CI_PROJECT_PATH_SLUG: project, CI_PROJECT_NAME: project, CI_COMMIT_REF_SLUG: 'main', CI_COMMIT_SHA: tag,
    CI_REGISTRY_IMAGE: 'nom.local/examples/hello-world', BASE_DOMAIN: 'nom.localhost', NOMAD_VAR_CHECK_PATH: '/healthcheck', ...extra,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [NOM, 'deploy'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`nom deploy exited ${code}:\n${stderr}`))));
  });
}

const HOST = 'router-it.nom.localhost';

describe('the router', () => {
  it('serves a deployment at its hostname over HTTPS with the internal CA, with HSTS', async () => {
    await nomDeploy('router-it', TAG);
    const r = await until(HOST, (x) => x.status === 200, '200');
    assert.match(r.body, /router-it\.nom\.localhost/);
    assert.equal(r.headers['strict-transport-security'], 'max-age=15724800; includeSubdomains');
  });

  it('speaks HTTP/2, and serves the Nomad API at the cluster\'s own hostname', async () => {
    const session = http2.connect(`https://127.0.0.1:${HTTPS_PORT}`, { ca: CA, servername: HOST });
    try {
      const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = session.request({ ':path': '/', ':authority': `${HOST}:${HTTPS_PORT}` });
        let body = '';
        let status = 0;
        req.on('response', (h) => (status = Number(h[':status'])));
        req.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status, body })).on('error', reject);
      });
      assert.equal(session.alpnProtocol, 'h2');
      assert.equal(reply.status, 200);
      assert.match(reply.body, /router-it\.nom\.localhost/);
    } finally {
      session.close();
    }
    const api = await viaHttps('nom.localhost', '/v1/agent/health', { 'X-Nomad-Token': process.env.NOMAD_TOKEN! });
    assert.equal(api.status, 200, api.body);
  });

  it('redirects plain HTTP to HTTPS', async () => {
    const r = await viaHttp(HOST, '/some/path?q=1');
    assert.equal(r.status, 308);
    assert.equal(r.headers.location, `https://${HOST}:${HTTPS_PORT}/some/path?q=1`);
  });

  it('sends unknown hostnames to the configured page', async () => {
    const r = await viaHttp('nothing-here.nom.localhost');
    assert.equal(r.status, 302);
    assert.equal(r.headers.location, `https://nom.localhost:${HTTPS_PORT}/ui/jobs`);
  });

  it('routes an http:// hostname over plain HTTP, with HSTS unless the request says X-HSTS: off', async () => {
    const plain = houseJob('router-plain', TAG);
    plain.TaskGroups[0]!.Services![0]!.Tags = ['http://router-plain.nom.localhost'];
    await nomad.jobs.register(plain);
    // Polling may meet a reset while the router loads a new configuration (see the README's
    // routing benchmark); once the route answers, nothing else changes.
    const r = await waitFor(async () => {
      const x = await viaHttp('router-plain.nom.localhost').catch(() => undefined);
      return x?.status === 200 ? x : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200, onTimeout: () => new Error('router-plain.nom.localhost never answered over HTTP') });
    assert.equal(r.headers['strict-transport-security'], 'max-age=15724800; includeSubdomains');
    const off = await viaHttp('router-plain.nom.localhost', '/', { 'X-HSTS': 'off' });
    assert.equal(off.status, 200);
    assert.equal(off.headers['strict-transport-security'], undefined);
  });

  it('balances over both instances when there are two', async () => {
    await nomDeploy('router-it', TAG, { NOMAD_VAR_COUNT: '2' });
    const seen = new Set<string>();
    await waitFor(
      async () => {
        const r = await viaHttps(HOST);
        if (r.status === 200) seen.add(String(r.headers['x-instance']));
        return seen.size >= 2 ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50, onTimeout: () => new Error(`only instances ${[...seen].join(', ')} answered`) },
    );
  });

  it('routes the canary hostname only to the canary while a deployment waits for promotion', async () => {
    await checkCanaryRouting(nomad, houseJob('router-it', `${TAG}-v2`, { NOMAD_VAR_COUNT: '2' }), HOST);
  });

  it('gives no traffic to a second job that tags the first job\'s hostname', async () => {
    const hijacker = houseJob('router-hijack', `${TAG}-v2`);
    hijacker.TaskGroups[0]!.Services![0]!.Tags.push(`https://${HOST}`);
    await nomad.jobs.register(hijacker);
    await waitFor(
      async () => {
        return routerStatus().table.conflicts.some((c: { host: string; claimant: string }) => c.host === HOST && c.claimant === 'default/router-hijack') ? true : undefined;
      },
      { timeoutMs: 60_000, onTimeout: () => new Error('nom router status shows no refused claim') },
    );
    const owner = (await viaHttps(HOST)).headers['x-instance'];
    const ownerAllocs = new Set((await nomad.jobs.allocations('router-it')).map((a) => a.ID));
    for (let i = 0; i < 20; i++) {
      const r = await viaHttps(HOST);
      assert.ok(ownerAllocs.has(String(r.headers['x-instance'])), `request served by ${r.headers['x-instance']}, not router-it (first was ${owner})`);
    }
  });

  it('routes no hostname to an address Nomad did not give the job: a service registered at the router\'s own loopback port gets 503, and the router says why', async () => {
    // A pipeline's token may register any address and port for its service; Caddy on the ingress
    // node would reach the node's loopback (Nomad's, Consul's and the router's APIs) through it.
    const statusPort = Number(new URL(process.env.NOMAD_ADDR!).port) + 4;
    const job = houseJob('router-ssrf', TAG);
    const service = job.TaskGroups[0]!.Services![0]!;
    Object.assign(service, { Address: '127.0.0.1', PortLabel: String(statusPort), Checks: [] });
    const host = new URL(service.Tags.find((t) => t.startsWith('https://'))!).hostname;
    await nomad.jobs.register(job);
    const refused = await waitFor(
      async () => (routerStatus().refused as { job: string; reason: string }[] | undefined)?.find((r) => r.job === `default/${job.ID}`),
      { timeoutMs: 60_000, onTimeout: () => new Error('nom router status shows no refused instance of router-ssrf') },
    );
    assert.equal(refused.reason.startsWith(`registers 127.0.0.1:${statusPort}, which is not an address Nomad gave its allocation (`), true, refused.reason);
    // Nomad did register it there: only the router stands between the hostname and the port.
    const registration = (await nomad.services.registrations(service.Name, 'default')).find((x) => x.JobID === job.ID);
    assert.equal(`${registration?.Address}:${registration?.Port}`, `127.0.0.1:${statusPort}`);
    const r = await viaHttps(host);
    assert.equal(r.status, 503);
    assert.doesNotMatch(r.body, /"table"|"routes"/);
  });

  it('redeploys without reloading Caddy: one keep-alive connection carries every request through a canary rollout', async () => {
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    const get = () =>
      fetchOnce((onReply) =>
        https.request({ host: '127.0.0.1', port: HTTPS_PORT, servername: HOST, path: '/', ca: CA, agent, headers: { Host: `${HOST}:${HTTPS_PORT}` } }, onReply).on('socket', (s) => sockets.add(s)),
      );
    assert.equal((await get()).status, 200);
    const pushedBefore = routerStatus().lastPush.at;
    let done = false;
    const deploying = nomDeploy('router-it', `${TAG}-v3`, { NOMAD_VAR_COUNT: '2' }).finally(() => (done = true));
    let served = 0;
    const versions = new Set<string>();
    while (!done) {
      const r = await get();
      assert.equal(r.status, 200, `request ${served + 1} during the rollout answered ${r.status}: ${r.body.slice(0, 200)}`);
      versions.add(String(r.headers['x-instance']));
      served++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await deploying;
    agent.destroy();
    assert.equal(sockets.size, 1, `${sockets.size} connections were needed for ${served} requests`);
    assert.equal(routerStatus().lastPush.at, pushedBefore, 'the router loaded a new Caddy configuration for a redeploy');
    assert.ok(versions.size >= 3, `the requests met only ${versions.size} instances: the new ones never served`);
  });

  it('keeps a websocket open and echoing across three unrelated config pushes', async () => {
    const { ws, echo } = await echoSocket(HOST);
    assert.equal(await echo('before'), 'before');
    for (let push = 1; push <= 3; push++) {
      // Each new service changes the routing table, so the router loads a new Caddy config.
      const other = houseJob(`router-push-${push}`, TAG, { NOMAD_VAR_COUNT_CANARIES: '0' });
      await nomad.jobs.register(other);
      await until(`router-push-${push}.nom.localhost`, (r) => r.status === 200 || r.status === 503, 'a route for the new job');
      assert.equal(await echo(`after push ${push}`), `after push ${push}`);
    }
    ws.close();
  });

  it('keeps Caddy\'s admin API on a socket only its user may open, with no TCP port a container could reach', async () => {
    const socket = statSync(join(layout.caddyDir, 'admin.sock'));
    assert.ok(socket.isSocket());
    assert.equal(socket.mode & 0o777, 0o600);
    const nomadPort = Number(new URL(process.env.NOMAD_ADDR!).port);
    assert.equal(await portInUse(nomadPort + 3), false, 'something listens where Caddy\'s admin port used to be');
  });

  it('restores the routes within 2s of a restarted Caddy\'s admin API answering', async () => {
    const pid = readPid(layout.caddyPid)!;
    assert.ok(runsWith(pid, layout.caddyConfigFile), `pid ${pid} is not Caddy`);
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => (isRunning(pid) ? undefined : true), { timeoutMs: 10_000, onTimeout: () => new Error('Caddy did not die') });
    const up = spawnSync(process.execPath, [NOM, 'up'], { env: process.env, encoding: 'utf8' });
    assert.equal(up.status, 0, up.stderr);
    const began = Date.now();
    await until(HOST, (r) => r.status === 200, 'the route after the restart', 2_000);
    assert.ok(Date.now() - began <= 2_000);
  });

  it('keeps serving while Nomad is down, and resumes without pushing an empty config', async () => {
    const pid = readPid(layout.pidFile)!;
    assert.ok(runsWith(pid, layout.configFile), `pid ${pid} is not the agent`);
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => (isRunning(pid) ? undefined : true), { timeoutMs: 10_000, onTimeout: () => new Error('Nomad did not die') });
    // Nomad is gone: the router pushes nothing, and Caddy keeps routing with what it has.
    for (let i = 0; i < 10; i++) {
      assert.equal((await viaHttps(HOST)).status, 200, 'Caddy lost the route while Nomad was down');
      await new Promise((r) => setTimeout(r, 200));
    }
    const up = spawnSync(process.execPath, [NOM, 'up'], { env: process.env, encoding: 'utf8' });
    assert.equal(up.status, 0, up.stderr);
    const status = routerStatus;
    await waitFor(async () => (status().nomad.ok ? true : undefined), { timeoutMs: 30_000, onTimeout: () => new Error('the router did not reach Nomad again') });
    // While its job is meant to run, the hostname stays routed (503 until an instance is healthy
    // again), even if Nomad replaced every allocation in the restart.
    const job = await nomad.jobs.read('router-it', 'default');
    if (job && !job.Stop && job.Status !== 'dead') {
      assert.ok(status().table.routes.some((r: { host: string }) => r.host === HOST), 'the route of a running job vanished');
      assert.notEqual((await viaHttp(HOST)).status, 302, 'a running job\'s hostname fell through to the unknown-host page');
    }
    // And it follows Nomad again: a new deployment is routed.
    await nomDeploy('router-after', TAG);
    await until('router-after.nom.localhost', (r) => r.status === 200, 'a deployment made after the restart', 60_000);
  });
});
