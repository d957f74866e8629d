/**
 * `nom deploy` and `nom stop` as a pipeline runs them, against the real cluster that
 * scripts/test-integration.sh started. The steps share one job and run in order.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { waitFor } from '../../src/cluster/processes.js';
import { NomadClient } from '../../src/nomad/client.js';
import { nomadConfig } from '../../src/nomad/config.js';
import { containerEnv as containerEnvOf, instance, nom as runNom, pipeline } from '../helpers/pipeline.js';

const TAG = process.env.NOM_TEST_IMAGE_TAG!;
const nomad = new NomadClient(nomadConfig(process.env));
const jobs = new Set<string>();
const tempDirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
};
after(async () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  for (const job of jobs) await nomad.jobs.deregister(job, { purge: true }).catch(() => undefined);
  nomad.close();
});

/** nom as a pipeline runs it, in a working directory of its own (removed after the tests). */
const nom = (args: string[], env: Record<string, string>, dir?: string) => runNom(args, env, dir ?? tempDir('nom-ci-'));
const page = async (url: string) => (await fetch(`${url}/`)).text();
const containerEnv = (job: string, version: number, name: string) => containerEnvOf(nomad, job, version, name);

// Quotes, spaces, $, a newline and non-ASCII letters: everything an env file could mangle.
const SECRET = 'it\'s "quoted" $HOME & more\nsecond line — Grüße, ünïcødé';

describe('nom deploy', () => {
  jobs.add('nom-it');
  let v2: string;

  it('deploys v1 with a secret: exit 0, it answers 200, and the secret arrives exactly', async () => {
    const run = await nom(['deploy'], pipeline(TAG, { NOMAD_SECRET_WEIRD_VALUE: SECRET }));
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /^https:\/\/nom-it\.nom\.localhost$/m);
    assert.equal((await fetch(`${instance(run.out)}/`)).status, 200);
    assert.equal(await containerEnv('nom-it', 0, 'WEIRD_VALUE'), SECRET);
    const stored = JSON.stringify(await nomad.http.request('GET', '/v1/job/nom-it'));
    for (const part of ['"quoted"', 'Grüße', 'second line']) {
      assert.ok(!stored.includes(part), `the job holds part of the secret: ${part}`);
      assert.ok(!run.out.includes(part), `the output holds part of the secret: ${part}`);
    }
    assert.match(run.out, /secrets: add WEIRD_VALUE: written to slot a \(Nomad Variable nomad\/jobs\/nom-it\)/);
    // GitLab reads the URL back for environment:url.
    assert.match(readFileSync(join(run.cwd, 'deploy.env'), 'utf8'), /^DYNAMIC_ENVIRONMENT_URL=https:\/\/nom-it\.nom\.localhost$/m);
  });

  it('a token without the right capability gets an error naming the call and the capability', async () => {
    const run = await nom(['deploy'], pipeline(TAG, { NOMAD_TOKEN: '' }));
    assert.equal(run.code, 1, run.out);
    assert.match(run.out, /Nomad answered 403: Permission denied — the token lacks variables read on nom\/deploys\/nom-it\/lock in namespace "default"/);
  });

  it('rolls v2 out through one canary, promotes it, and v1 is gone', async () => {
    const run = await nom(['deploy'], pipeline(`${TAG}-v2`, { NOMAD_SECRET_WEIRD_VALUE: SECRET }));
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /plan: image \S+:\S+ → \S+-v2/);
    assert.match(run.out, /canary 1\/1 placed/);
    assert.match(run.out, /promoted, healthy 1\/1/);
    v2 = instance(run.out);
    assert.match(await page(v2), /hello v2/);
    await waitFor(async () => ((await nomad.jobs.allocations('nom-it')).some((a) => a.JobVersion === 0 && a.ClientStatus === 'running') ? undefined : true), {
      timeoutMs: 30_000,
      onTimeout: () => new Error('v1 still runs 30s after v2 was promoted'),
    });
  });

  it('nom plan says what a deploy would change — a setting, a secret name, never a value — and changes nothing', async () => {
    const before = await nomad.jobs.read('nom-it', 'default');
    const secretsBefore = await nomad.variables.read('nomad/jobs/nom-it', 'default');
    const run = await nom(['plan'], pipeline(`${TAG}-v2`, { NOMAD_SECRET_WEIRD_VALUE: SECRET, NOMAD_SECRET_API_KEY: 'new-secret-value', NOMAD_VAR_MEMORY: '128' }));
    assert.equal(run.code, 7, run.out);
    assert.match(run.out, /^plan: also changes: .*task http\.Resources\.MemoryMB/m);
    assert.match(run.out, /^secrets: would add API_KEY$/m);
    for (const part of ['new-secret-value', '"quoted"', 'Grüße']) assert.ok(!run.out.includes(part), `the plan shows a secret: ${part}`);
    const after = await nomad.jobs.read('nom-it', 'default');
    assert.equal(after?.Version, before?.Version, 'nom plan registered a new version');
    assert.equal((await nomad.variables.read('nomad/jobs/nom-it', 'default'))?.ModifyIndex, secretsBefore?.ModifyIndex, 'nom plan wrote the secrets');

    const same = await nom(['deploy', '--dry-run'], pipeline(`${TAG}-v2`, { NOMAD_SECRET_WEIRD_VALUE: SECRET }));
    assert.equal(same.code, 0, same.out);
    assert.match(same.out, /^plan: no changes/m);
  });

  it('a broken v3 fails within its deadline, names the failing check, and Nomad is back on v2', async () => {
    const run = await nom(['deploy'], pipeline(`${TAG}-v3`, { NOMAD_SECRET_WEIRD_VALUE: SECRET, NOMAD_VAR_CHECK_PATH: '/broken', NOMAD_VAR_HEALTH_TIMEOUT: '5s' }));
    assert.equal(run.code, 3, run.out);
    assert.ok(run.seconds < 150, `took ${run.seconds}s`);
    assert.match(run.out, /check "alive" of service nom-it failing: .*(404|not found)/i);
    assert.match(run.out, /Nomad rolled back to version 1/);
    assert.match(await page(v2), /hello v2/);
  });

  it('asking for more memory than the node has fails within 30s with Nomad\'s reason, submitting nothing', async () => {
    jobs.add('nom-it-big');
    const run = await nom(['deploy'], pipeline(TAG, { NOMAD_VAR_MEMORY: '1000000' }, 'big'));
    assert.equal(run.code, 4, run.out);
    assert.ok(run.seconds < 30, `took ${run.seconds}s`);
    assert.match(run.out, /cannot place group nom-it-big: not enough memory/);
    assert.equal(await nomad.jobs.read('nom-it-big', 'default'), undefined);
  });

  it('two concurrent deploys of one job both end correctly, one after the other', async () => {
    jobs.add('nom-it-race');
    const [a, b] = await Promise.all([nom(['deploy'], pipeline(TAG, {}, 'race')), nom(['deploy'], pipeline(`${TAG}-v2`, {}, 'race'))]);
    assert.equal(a.code, 0, a.out);
    assert.equal(b.code, 0, b.out);
    assert.match(a.out + b.out, /waiting for another deploy of nom-it-race to finish/);
    const job = await nomad.jobs.read('nom-it-race', 'default');
    assert.equal(job?.Status, 'running');
  });

  it('nom stop removes the job, and deploying it again works', async () => {
    const stop = await nom(['stop', 'nom-it'], pipeline(TAG));
    assert.equal(stop.code, 0, stop.out);
    assert.equal((await nomad.jobs.read('nom-it', 'default'))?.Status, 'dead');
    const again = await nom(['deploy'], pipeline(`${TAG}-v2`, { NOMAD_SECRET_WEIRD_VALUE: SECRET }));
    assert.equal(again.code, 0, again.out);
    assert.match(await page(instance(again.out)), /hello v2/);
  });
});

describe('overlays', () => {
  const dir = (files: Record<string, string>) => {
    const d = tempDir('nom-overlay-');
    for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
    return d;
  };

  it('a job.nomad with a periodic block deploys a periodic batch job', async () => {
    jobs.add('nom-it-cron');
    const cwd = dir({ 'job.nomad': 'periodic {\n  crons = ["15 * * * * *"]\n  prohibit_overlap = true\n}\n' });
    const run = await nom(['deploy'], pipeline(TAG, { NOMAD_VAR_IS_BATCH: 'true' }, 'cron'), cwd);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /applied job\.nomad/);
    const job = await nomad.jobs.read('nom-it-cron', 'default');
    assert.equal(job?.Type, 'batch');
    assert.ok(job?.Periodic);
  });

  it('a group.nomad adding a second docker task deploys both tasks', async () => {
    jobs.add('nom-it-sidecar');
    const cwd = dir({
      'group.nomad': `task "NOMAD_VAR_SLUG-worker" {
  driver = "docker"
  config {
    image   = "nom.local/examples/hello-world/main:${TAG}"
    command = "node"
    args    = ["-e", "setInterval(() => {}, 1000)"]
  }
  env {
    PROJECT = "\${var.CI_PROJECT_PATH_SLUG}"
  }
  resources {
    memory = 50
  }
}
`,
    });
    const run = await nom(['deploy'], pipeline(TAG, {}, 'sidecar'), cwd);
    assert.equal(run.code, 0, run.out);
    const job = await nomad.jobs.read('nom-it-sidecar', 'default');
    assert.deepEqual(job?.TaskGroups[0]!.Tasks.map((t) => t.Name), ['http', 'nom-it-sidecar-worker']);
  });

  it('an overlay adding a raw_exec task is refused and nothing is submitted', async () => {
    const cwd = dir({ 'group.nomad': 'task "evil" {\n  driver = "raw_exec"\n  config {\n    command = "/bin/sh"\n  }\n}\n' });
    const run = await nom(['deploy'], pipeline(TAG, {}, 'evil'), cwd);
    assert.equal(run.code, 2, run.out);
    assert.match(run.out, /group\.nomad: task "evil" .* uses the raw_exec driver: only docker and podman tasks may be deployed/);
    assert.equal(await nomad.jobs.read('nom-it-evil', 'default'), undefined);
  });
});
