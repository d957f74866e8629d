/**
 * A cluster whose services live in Consul, as the clusters nom grows out of: `nom up --consul`
 * runs Consul 1.14 beside Nomad (ACLs on) and makes it the default provider. Deploys register
 * there and turn healthy through Consul's checks, the router follows Consul's catalog and
 * checks, a job written the seed's way is routed without nom, a failing check's output reaches
 * the failed deploy, and Consul going away costs no route. At the end `nom up --no-consul` puts
 * the shared test cluster back as it was.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ConsulClient } from '../../src/consul/client.js';
import { consulAt } from '../../src/consul/config.js';
import { localLayout } from '../../src/cluster/local-layout.js';
import { isRunning, readPid, runsWith, waitFor } from '../../src/cluster/processes.js';
import type { NomadJob } from '../../src/jobspec/nomad-job.js';
import { NomadClient } from '../../src/nomad/client.js';
import { nomadConfig } from '../../src/nomad/config.js';
import { renderJob } from '../../src/render/render-job.js';
import { nom, pipeline } from '../helpers/pipeline.js';
import { checkCanaryRouting, routerLogSince, routerStatus, until, viaHttps } from '../helpers/through-caddy.js';

const TAG = process.env.NOM_TEST_IMAGE_TAG!;
const layout = localLayout(process.env.NOM_HOME!);
const nomad = new NomadClient(nomadConfig(process.env));
const env = { ...(process.env as Record<string, string>) };
let consul: ConsulClient;
let consulEnv: Record<string, string> = {};
const APP = 'nom-consul';
const HOST = `${APP}.nom.localhost`;
const SEED_HOST = 'seed-style.nom.localhost';
const jobs: { id: string; namespace: string }[] = [{ id: APP, namespace: 'default' }, { id: 'seed-style', namespace: 'default' }, { id: 'nom-consul-broken', namespace: 'default' }];

/** Consul's instances of `service`, as the router reads them. */
const inConsul = async (service: string) => (await consul.health.service(service)).value;

before(async () => {
  const up = await nom(['up', '--no-nomad-config', '--consul'], env);
  assert.equal(up.code, 0, up.out);
  assert.match(up.out, /consul: +http:\/\/127\.0\.0\.1:\d+ \(services register here/);
  const exported = (await nom(['env'], env)).out;
  consulEnv = Object.fromEntries([...exported.matchAll(/^export (CONSUL_HTTP_ADDR|CONSUL_HTTP_TOKEN)=(.+)$/gm)].map((m) => [m[1]!, m[2]!]));
  assert.ok(consulEnv.CONSUL_HTTP_ADDR && consulEnv.CONSUL_HTTP_TOKEN, `nom env exports no Consul:\n${exported}`);
  consul = new ConsulClient(consulAt(consulEnv.CONSUL_HTTP_ADDR!, consulEnv.CONSUL_HTTP_TOKEN));
});

after(async () => {
  for (const j of jobs) await nomad.jobs.deregister(j.id, { namespace: j.namespace, purge: true }).catch(() => undefined);
  const back = await nom(['up', '--no-nomad-config', '--no-consul'], env);
  assert.equal(back.code, 0, back.out);
  assert.match(back.out, /stopping Consul/);
  consul?.close();
  nomad.close();
});

describe('a cluster with Consul (nom up --consul)', () => {
  it('Consul runs with ACLs that deny by default, and the read token nom env exports can only read', async () => {
    const anonymous = new ConsulClient(consulAt(consulEnv.CONSUL_HTTP_ADDR!));
    try {
      assert.deepEqual(Object.keys((await anonymous.catalog.services()).value), [], 'an anonymous caller sees services');
    } finally {
      anonymous.close();
    }
    await assert.rejects(consul.http.request('PUT', '/v1/agent/service/register', { Name: 'intruder', Tags: [`https://${HOST}`], Port: 1 }), /403/);
    await assert.rejects(consul.http.request('PUT', '/v1/kv/x', 'y'), /403/);
    assert.equal(readFileSync(layout.consulTokensFile, 'utf8').length > 0, true);
    const mode = (await import('node:fs')).statSync(layout.consulTokensFile).mode & 0o777;
    assert.equal(mode, 0o600, 'the tokens file is readable by others');
  });

  it('hello-world deploys with its services in Consul, turns healthy through Consul\'s checks, and answers at its hostname', async () => {
    const run = await nom(['deploy'], pipeline(TAG, { NOMAD_VAR_COUNT_CANARIES: '1' }, 'main', APP));
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /services register in Consul, the cluster's service provider/);
    // Registered in Consul, with nom's tags and a passing check; Nomad's own catalog has none of it.
    const [entry] = await inConsul(APP);
    assert.ok(entry, 'no instance in Consul');
    assert.ok(entry.Service.Tags?.includes(`https://${HOST}`), JSON.stringify(entry.Service.Tags));
    assert.ok(entry.Checks.some((c) => c.ServiceID === entry.Service.ID && c.Name === 'alive' && c.Status === 'passing'), JSON.stringify(entry.Checks));
    assert.deepEqual(await nomad.services.registrations(APP, 'default'), []);
    const r = await until(HOST, (x) => x.status === 200, '200');
    assert.match(r.body, /hi world/);
    // What the operator sees reads the checks from Consul (nom env exported its address and token).
    const status = await nom(['status', APP], { ...env, ...consulEnv });
    assert.match(status.out, /running +healthy/);
    const urls = await nom(['urls'], { ...env, ...consulEnv });
    assert.match(urls.out, new RegExp(`https://${HOST.replace(/\./g, '\\.')} +default/${APP} +1/1`));
  });

  it('routes the canary hostname only to the canary while a deployment waits for promotion', async () => {
    const rendered = renderJob(
      {
        CI_PROJECT_PATH_SLUG: APP, CI_PROJECT_NAME: APP, CI_COMMIT_REF_SLUG: 'main', CI_COMMIT_SHA: `${TAG}-v2`, CI_REGISTRY_IMAGE: 'nom.local/examples/hello-world',
        BASE_DOMAIN: 'nom.localhost', NOMAD_VAR_CHECK_PATH: '/healthcheck', NOMAD_VAR_SERVICE_PROVIDER: 'consul',
      },
      { renderId: 'consul-test' },
    );
    assert.equal(rendered.noDeploy, false);
    await checkCanaryRouting(nomad, rendered.job, HOST);
  });

  it('a failing check fails the deploy with the output Consul recorded', async () => {
    // Consul runs a check first somewhere within its 10s interval: the health deadline outlasts it.
    const run = await nom(['deploy'], { ...pipeline(TAG, { NOMAD_VAR_CHECK_PATH: '/broken', NOMAD_VAR_HEALTH_TIMEOUT: '15s', NOMAD_VAR_COUNT_CANARIES: '0' }, 'main', 'nom-consul-broken'), ...consulEnv });
    assert.notEqual(run.code, 0, run.out);
    assert.match(run.out, /check "alive" of service nom-consul-broken failing: HTTP GET http:\/\/[^ ]+\/broken: 404/);
    // Without Consul's address the deploy says where the output is.
    const blind = await nom(['deploy'], pipeline(TAG, { NOMAD_VAR_CHECK_PATH: '/broken2', NOMAD_VAR_HEALTH_TIMEOUT: '15s', NOMAD_VAR_COUNT_CANARIES: '0' }, 'main', 'nom-consul-broken'));
    assert.notEqual(blind.code, 0, blind.out);
    assert.match(blind.out, /the checks of nom-consul-broken run in Consul: set CONSUL_HTTP_ADDR and CONSUL_HTTP_TOKEN/);
  });

  it('routes a job written the seed\'s way (its own service name, urlprefix tags, no nom), and refuses it another job\'s hostname', async () => {
    const seed = seedStyleJob();
    await nomad.jobs.register(seed);
    const r = await until(SEED_HOST, (x) => x.status === 200, 'the seed-style job', 60_000);
    assert.match(r.body, /hi world/);
    await waitFor(
      async () => (routerStatus().table.conflicts.some((c: { host: string; claimant: string }) => c.host === HOST && c.claimant === 'default/seed-style') ? true : undefined),
      { timeoutMs: 30_000, onTimeout: () => new Error('the seed-style job\'s claim on another job\'s hostname is not refused') },
    );
    const owners = new Set((await nomad.jobs.allocations(APP)).map((a) => a.ID));
    for (let i = 0; i < 10; i++) {
      const reply = await viaHttps(HOST);
      assert.ok(owners.has(String(reply.headers['x-instance'])), `served by ${reply.headers['x-instance']}, not ${APP}`);
    }
  });

  it('keeps the last routes while Consul is down, and catches up once it is back, without a failed request to a healthy app', async () => {
    // Requests to the app all along: Consul going, and coming back with checks that have not run yet.
    const answers: { at: string; status: number }[] = [];
    const since = new Date();
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const at = new Date().toISOString();
        answers.push({ at, status: await viaHttps(HOST).then((r) => r.status, () => 0) });
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const pid = readPid(layout.consulPid)!;
    assert.ok(runsWith(pid, layout.consulConfigFile), `pid ${pid} is not Consul`);
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => (isRunning(pid) ? undefined : true), { timeoutMs: 10_000, onTimeout: () => new Error('Consul did not stop') });
    await waitFor(async () => (routerStatus().consul?.ok === false ? true : undefined), { timeoutMs: 30_000, onTimeout: () => new Error('the router did not notice Consul is gone') });
    assert.equal((await viaHttps(SEED_HOST)).status, 200, `${SEED_HOST} lost its route while Consul is down`);
    // Meanwhile the seed-style job stops: Nomad cannot tell Consul until it is back.
    await nomad.jobs.deregister('seed-style', { namespace: 'default', purge: false });
    const again = await nom(['up', '--no-nomad-config'], env);
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, /starting Consul/);
    await waitFor(async () => (routerStatus().consul?.ok ? true : undefined), { timeoutMs: 30_000, onTimeout: () => new Error('the router did not follow Consul again') });
    await until(SEED_HOST, (x) => x.status !== 200 || !/hi world/.test(x.body), 'the stopped job\'s route removed', 90_000);
    // Past a check interval after Consul is back, the app's checks have run again.
    await new Promise((r) => setTimeout(r, 12_000));
    polling = false;
    await poller;
    const failed = answers.filter((a) => a.status !== 200);
    // The router says which check took an instance out, and when: the story of a failure.
    assert.deepEqual(failed, [], `${failed.length} of ${answers.length} requests to ${HOST} failed while Consul was away and came back, from ${failed[0]?.at} to ${failed.at(-1)?.at}; the router's log:\n${failed.length ? routerLogSince(since) : ''}`);
  });
});

/** A job as the seed's HCL wrote them: a Consul service of its own name, fabio-style and https tags, no nom metadata. */
function seedStyleJob(): NomadJob {
  const rendered = renderJob(
    {
      CI_PROJECT_PATH_SLUG: 'seed-style', CI_PROJECT_NAME: 'seed-style', CI_COMMIT_REF_SLUG: 'main', CI_COMMIT_SHA: TAG, CI_REGISTRY_IMAGE: 'nom.local/examples/hello-world',
      BASE_DOMAIN: 'nom.localhost', NOMAD_VAR_CHECK_PATH: '/healthcheck', NOMAD_VAR_SERVICE_PROVIDER: 'consul', NOMAD_VAR_COUNT_CANARIES: '0',
    },
    { renderId: 'seed-style' },
  );
  assert.equal(rendered.noDeploy, false);
  const job = rendered.job;
  delete (job as { Meta?: unknown }).Meta;
  const service = job.TaskGroups[0]!.Services![0]!;
  service.Name = 'seed-style-web';
  service.Tags = [`urlprefix-${SEED_HOST}:443/`, `https://${HOST}:443/`];
  service.CanaryTags = [];
  return job;
}
