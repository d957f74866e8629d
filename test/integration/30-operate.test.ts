/**
 * The operator commands against the real cluster: status, logs, ssh, cp, history, rollback,
 * resubmit, urls, nodes, cleanup, and what each says when the job, the token or the address is
 * wrong. The steps share one job, "ops-it", and run in order.
 */
import { cleanupReviewApps } from '../../src/deploy/review-app-cleanup.js';
import { secretsPath } from '../../src/jobspec/templates.js';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../src/cluster/processes.js';
import { NomadClient } from '../../src/nomad/client.js';
import { nomadConfig } from '../../src/nomad/config.js';
import { renderJob } from '../../src/render/render-job.js';
import { freePort } from '../helpers/free-port.js';

const NOM = fileURLToPath(new URL('../../bin/nom', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const TAG = process.env.NOM_TEST_IMAGE_TAG!;
const JOB = 'ops-it';
const CLEANUP_NS = 'cleanup-it';
const nomad = new NomadClient(nomadConfig(process.env));
const work = mkdtempSync(join(tmpdir(), 'nom-ops-'));
const cluster = { PATH: process.env.PATH!, NOMAD_ADDR: process.env.NOMAD_ADDR!, NOMAD_TOKEN: process.env.NOMAD_TOKEN!, HOME: work, NOM_HOME: process.env.NOM_HOME! };
after(async () => {
  for (const [id, namespace] of [[JOB, 'default'], ...['old-review', 'old-main', 'old-prod', 'not-ours', 'new-review'].map((id) => [id, CLEANUP_NS])]) {
    await nomad.jobs.deregister(id!, { namespace, purge: true }).catch(() => undefined);
  }
  await nomad.http.request('DELETE', `/v1/namespace/${CLEANUP_NS}`).catch(() => undefined);
  nomad.close();
  rmSync(work, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `nom <args>` run from a directory that is no checkout, with the test cluster's address and token. */
function nom(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [NOM, ...args], { env: { ...cluster, ...env }, cwd: work });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `nom deploy` as a pipeline on main deploys `tag` of the demo app as ops-it. */
async function deploy(tag: string): Promise<void> {
  const run = await nom(['deploy'], {
    CI_PROJECT_PATH_SLUG: JOB, CI_PROJECT_NAME: JOB, CI_COMMIT_REF_SLUG: 'main', CI_COMMIT_SHA: tag,
    CI_REGISTRY_IMAGE: 'nom.local/examples/hello-world', BASE_DOMAIN: 'nom.localhost', NOMAD_VAR_CHECK_PATH: '/healthcheck',
  });
  assert.equal(run.code, 0, run.stderr);
}

/** The page the running allocation of ops-it serves, straight from it. */
async function page(): Promise<string> {
  const alloc = (await nomad.jobs.allocations(JOB)).find((a) => a.ClientStatus === 'running' && a.DesiredStatus === 'run')!;
  const port = (await nomad.allocations.read(alloc.ID)).AllocatedResources!.Shared!.Ports!.find((p) => p.Label === 'http')!;
  return (await fetch(`http://${port.HostIP}:${port.Value}/`)).text();
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('operating a deployment', () => {
  it('nom status shows the version, the healthy allocation and the URLs', async () => {
    await deploy(TAG);
    const run = await nom(['status', JOB, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const status = JSON.parse(run.stdout);
    assert.equal(status.job.version, 0);
    assert.equal(status.deployment.status, 'successful');
    assert.deepEqual(status.allocations.map((a: { status: string; health: string }) => [a.status, a.health]), [['running', 'healthy']]);
    assert.deepEqual(status.urls, [{ url: 'https://ops-it.nom.localhost', canary: false }, { url: 'https://canary-ops-it.nom.localhost', canary: true }]);
    const text = await nom(['status', JOB]);
    assert.match(text.stdout, /^ops-it · service · running · version 0 \(stable\)/);
    assert.match(text.stdout, /running\s+healthy/);
  });

  it('nom ssh -- cat /etc/hostname prints the container\'s hostname and exits 0; an exit code passes through', async () => {
    const alloc = (await nomad.jobs.allocations(JOB)).find((a) => a.ClientStatus === 'running')!;
    const container = execFileSync('docker', ['ps', '-q', '--filter', `label=com.hashicorp.nomad.alloc_id=${alloc.ID}`], { encoding: 'utf8' }).trim();
    const hostname = execFileSync('docker', ['inspect', '-f', '{{.Config.Hostname}}', container], { encoding: 'utf8' }).trim();
    const run = await nom(['ssh', JOB, '--', 'cat', '/etc/hostname']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), hostname);
    assert.equal((await nom(['ssh', JOB, '--', 'sh', '-c', 'exit 3'])).code, 3);
  });

  it('nom ssh opens an interactive shell with a terminal: echo hi shows hi, and exit ends it cleanly', async () => {
    const session = `nom-ssh-${process.pid}`;
    const tmux = (...args: string[]) => spawnSync('tmux', args, { encoding: 'utf8' });
    const env = Object.entries(cluster).map(([k, v]) => `${k}='${v}'`).join(' ');
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '30', `cd ${work} && env ${env} ${process.execPath} ${NOM} ssh ${JOB}; echo "nom-exit=$?"; sleep 60`);
    const screen = () => tmux('capture-pane', '-t', session, '-p').stdout;
    const shows = (what: RegExp, label: string) =>
      waitFor(async () => (what.test(screen()) ? true : undefined), { timeoutMs: 15_000, intervalMs: 100, onTimeout: () => new Error(`${label} never showed; the screen:\n${screen()}`) });
    try {
      await shows(/^\$\s*$/m, 'the shell prompt');
      tmux('send-keys', '-t', session, 'echo hi', 'Enter');
      await shows(/^hi$/m, 'hi');
      tmux('send-keys', '-t', session, 'exit', 'Enter');
      await shows(/^nom-exit=0$/m, 'a clean exit');
    } finally {
      tmux('kill-session', '-t', session);
    }
  });

  it('nom cp copies a 5 MB binary file byte for byte, to --to or to its path in the repository', async () => {
    const blob = randomBytes(5 * 1024 * 1024);
    const file = join(work, 'blob.bin');
    writeFileSync(file, blob);
    const run = await nom(['cp', file, JOB, '--to', '/tmp/blob.bin']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /copied .*blob\.bin \(5242880 bytes\) to ops-it\/\w{8}\/http:\/tmp\/blob\.bin/);
    const inside = await nom(['ssh', JOB, '--', 'sha256sum', '/tmp/blob.bin']);
    assert.equal(inside.stdout.split(' ')[0], sha256(blob));
    // Without --to, at the same path relative to the repository root, under the container's working directory.
    const own = join(REPO, 'examples', 'hello-world', 'package.json');
    assert.equal((await nom(['cp', own, JOB])).code, 0);
    const copied = await nom(['ssh', JOB, '--', 'cat', 'examples/hello-world/package.json']);
    assert.equal(copied.stdout, readFileSync(own, 'utf8'));
  });

  it('nom logs -f shows a line the app logs after it started, and exits within 1 s of Ctrl-C', async () => {
    const child = spawn(process.execPath, [NOM, 'logs', '-f', JOB, '-n', '1'], { env: cluster, cwd: work });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    const marker = `/after-start-${Date.now()}`;
    await new Promise((r) => setTimeout(r, 1500));
    const alloc = (await nomad.jobs.allocations(JOB)).find((a) => a.ClientStatus === 'running')!;
    const port = (await nomad.allocations.read(alloc.ID)).AllocatedResources!.Shared!.Ports!.find((p) => p.Label === 'http')!;
    await fetch(`http://${port.HostIP}:${port.Value}${marker}`);
    await waitFor(async () => (out.includes(marker) ? true : undefined), { timeoutMs: 10_000, onTimeout: () => new Error(`the line never came; got:\n${out}`) });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const interrupted = Date.now();
    child.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.ok(Date.now() - interrupted < 1000, `took ${Date.now() - interrupted} ms to exit`);
  });

  it('after two deploys, nom rollback serves the previous version again; nom history shows all three', async () => {
    await deploy(`${TAG}-v2`);
    assert.match(await page(), /hello v2/);
    const run = await nom(['rollback', JOB]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /reverting ops-it from version 1 to version 0/);
    assert.match(run.stderr, /ops-it serves version 2/);
    assert.equal(run.stdout.trim(), 'https://ops-it.nom.localhost');
    assert.match(await page(), /hi world/);
    const history = JSON.parse((await nom(['history', JOB, '--json'])).stdout);
    assert.deepEqual(history.map((v: { version: number; current: boolean }) => [v.version, v.current]), [[2, true], [1, false], [0, false]]);
  });

  it('nom resubmit brings a stopped job back', async () => {
    assert.equal((await nom(['stop', JOB])).code, 0);
    const run = await nom(['resubmit', JOB]);
    assert.equal(run.code, 0, run.stderr);
    const status = JSON.parse((await nom(['status', JOB, '--json'])).stdout);
    assert.equal(status.job.stopped, false);
    assert.ok(status.allocations.some((a: { status: string; health: string }) => a.status === 'running' && a.health === 'healthy'));
  });

  it('nom urls lists the routed URLs with healthy instances; nom nodes the node with docker', async () => {
    const urls = JSON.parse((await nom(['urls', '--json'])).stdout);
    assert.deepEqual(urls.find((u: { url: string }) => u.url === 'https://ops-it.nom.localhost'), { url: 'https://ops-it.nom.localhost', job: 'default/ops-it', healthy: 1, instances: 1, refused: [] });
    // nom open prints the URL a browser reaches here: the local Caddy listens on its own port.
    const open = await nom(['open', JOB]);
    assert.equal(open.stdout.trim(), `https://ops-it.nom.localhost:${process.env.NOM_INGRESS_HTTPS!.split(':')[1]}/`);
    const nodes = JSON.parse((await nom(['nodes', '--json'])).stdout);
    assert.equal(nodes.length, 1);
    assert.equal(nodes[0].status, 'ready');
    assert.ok(nodes[0].drivers.includes('docker'));
    assert.ok(nodes[0].memory.allocated >= 300);
  });

  it('nom cleanup --dry-run lists exactly the stale review apps, and stops nothing', async () => {
    await nomad.http.request('POST', '/v1/namespace', { body: { Name: CLEANUP_NS } });
    const register = async (id: string, branch: string, meta: boolean) => {
      const result = renderJob(
        { CI_PROJECT_PATH_SLUG: id, CI_PROJECT_NAME: id, CI_COMMIT_REF_SLUG: branch, CI_COMMIT_SHA: TAG, CI_REGISTRY_IMAGE: 'nom.local/examples/hello-world', BASE_DOMAIN: 'nom.localhost', NOMAD_VAR_NAMESPACE: CLEANUP_NS },
        { renderId: 'cleanup-test' },
      );
      assert.equal(result.noDeploy, false);
      // No instances: only the jobs' records matter here.
      const job = { ...result.job, ID: id, Name: id, Meta: meta ? result.job.Meta : {}, TaskGroups: result.job.TaskGroups.map((g) => ({ ...g, Count: 0 })) };
      await nomad.jobs.register(job);
    };
    await register('old-review', 'feature-a', true);
    await register('old-main', 'main', true);
    await register('old-prod', 'production', true);
    await register('not-ours', 'feature-b', false);
    await new Promise((r) => setTimeout(r, 5000));
    await register('new-review', 'feature-c', true);
    const run = await nom(['cleanup', '--older-than', '4s', '--dry-run', '-n', CLEANUP_NS]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split('\n').map((l) => l.split(',')[0]), ['cleanup-it/old-review (branch feature-a)']);
    assert.equal((await nomad.jobs.read('old-review', CLEANUP_NS))!.Stop, false, 'a dry run stopped a job');
  });

  it('expires the stale review apps as the router does: purged with their secrets, nothing else touched', async () => {
    await nomad.variables.write(secretsPath('old-review'), CLEANUP_NS, { API_KEY: 'expired-secret' }, 0);
    const purged: string[] = [];
    await cleanupReviewApps(nomad, { olderThanMs: 4000, namespace: CLEANUP_NS, purge: true }, (app) => purged.push(app.id));
    assert.deepEqual(purged, ['old-review']);
    assert.equal(await nomad.jobs.read('old-review', CLEANUP_NS), undefined);
    assert.deepEqual(await nomad.variables.list(secretsPath('old-review'), CLEANUP_NS), []);
    for (const id of ['old-main', 'old-prod', 'not-ours', 'new-review']) assert.equal((await nomad.jobs.read(id, CLEANUP_NS))?.Stop, false, id);
  });
});

describe('when something is wrong, each command says so in one line', () => {
  const file = join(work, 'one.txt');
  writeFileSync(file, 'one');
  const jobCommands: string[][] = [['status'], ['logs'], ['ssh', '--', 'true'], ['cp', file, '--to', '/tmp/x'], ['history'], ['rollback'], ['resubmit'], ['open']];
  // Where the job goes in each: after the command (cp: after the file).
  const withJob = (cmd: string[], job: string) => (cmd[0] === 'cp' ? ['cp', file, job, ...cmd.slice(2)] : [cmd[0]!, job, ...cmd.slice(1)]);
  const oneLine = (run: Run, what: RegExp, label: string) => {
    assert.notEqual(run.code, 0, `${label} exited 0`);
    assert.equal(run.stderr.trimEnd().split('\n').length, 1, `${label} said more than one line:\n${run.stderr}`);
    assert.match(run.stderr, what, label);
  };

  it('an unknown job', async () => {
    const runs = await Promise.all(jobCommands.map((cmd) => nom(withJob(cmd, 'no-such-job'))));
    runs.forEach((run, i) => oneLine(run, /^nom: no job "no-such-job" in namespace "default" at http:\/\/127\.0\.0\.1:\d+/, jobCommands[i]![0]!));
  });

  it('a wrong token', async () => {
    const commands = [...jobCommands.map((cmd) => withJob(cmd, JOB)), ['urls'], ['nodes'], ['cleanup', '--older-than', '1d']];
    const runs = await Promise.all(commands.map((cmd) => nom(cmd, { NOMAD_TOKEN: '00000000-0000-0000-0000-000000000000' })));
    runs.forEach((run, i) => oneLine(run, /^nom: GET \/v1\/\S+: Nomad answered 403: .*the token lacks/, commands[i]![0]!));
  });

  it('an address nothing answers at', async () => {
    const address = `http://127.0.0.1:${await freePort()}`;
    const commands = [...jobCommands.map((cmd) => withJob(cmd, JOB)), ['urls'], ['nodes'], ['cleanup', '--older-than', '1d']];
    const runs = await Promise.all(commands.map((cmd) => nom(cmd, { NOMAD_ADDR: address })));
    runs.forEach((run, i) => oneLine(run, new RegExp(`^nom: cannot reach Nomad: GET ${address}/v1/\\S+ failed \\(ECONNREFUSED\\)`), commands[i]![0]!));
  });
});
