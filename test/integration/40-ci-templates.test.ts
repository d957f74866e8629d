/**
 * The CI templates, run: GitLab's pipeline (ci/gitlab.yml, included locally by a sample
 * project) by gitlab-ci-local with the shell executor, and the GitHub action's script with
 * GitHub's variables set, both against the real cluster and pushing to and pulling from a real
 * registry on loopback (the CNCF distribution registry, built by scripts/build-test-tools.sh).
 * And the nom CI image, built and run.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { cacheDir } from '../../src/cluster/binaries.js';
import { waitFor } from '../../src/cluster/processes.js';
import { NomadClient } from '../../src/nomad/client.js';
import { nomadConfig } from '../../src/nomad/config.js';
import { freePort } from '../helpers/free-port.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GITLAB_CI_LOCAL = join(ROOT, 'node_modules', '.bin', 'gitlab-ci-local');
const HTTPS_PORT = Number(process.env.NOM_INGRESS_HTTPS!.split(':')[1]);
const CA = readFileSync(process.env.NOM_CA_CERT!);
const nomad = new NomadClient(nomadConfig(process.env));
const work = mkdtempSync(join(tmpdir(), 'nom-ci-'));
const PATH = `${join(ROOT, 'bin')}:${process.env.PATH}`;
let registry: ChildProcess;
let registryAddress = '';
const jobs: string[] = [];

before(async () => {
  const port = await freePort();
  registryAddress = `127.0.0.1:${port}`;
  const config = join(work, 'registry.yml');
  writeFileSync(config, `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${join(work, 'registry')}\nhttp:\n  addr: ${registryAddress}\n`);
  registry = spawn(join(cacheDir(process.env, homedir()), 'bin', 'registry'), ['serve', config], { stdio: 'ignore' });
  await waitFor(() => fetch(`http://${registryAddress}/v2/`).then((r) => (r.ok ? true : undefined), () => undefined), { timeoutMs: 15_000, onTimeout: () => new Error('the registry did not start') });
});

after(async () => {
  registry?.kill('SIGTERM');
  for (const job of jobs) await nomad.jobs.deregister(job, { purge: true }).catch(() => undefined);
  nomad.close();
  rmSync(work, { recursive: true, force: true });
  // The pipeline's images, tagged for this run's throwaway registry: one run must not leave 100 MB behind.
  const images = execFileSync('docker', ['images', '-q', '--filter', `reference=${registryAddress}/*/*/*`], { encoding: 'utf8' }).split('\n').filter(Boolean);
  if (images.length) execFileSync('docker', ['rmi', '-f', ...new Set(images)], { stdio: 'ignore' });
});

interface Run {
  code: number | null;
  out: string;
}

function run(command: string, args: string[], o: { cwd: string; env: Record<string, string> }): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: o.cwd, env: o.env });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

/** GET over HTTPS through Caddy at `url`'s hostname, trusting only the cluster's CA. */
function viaCaddy(url: string): Promise<{ status: number; body: string }> {
  const host = new URL(url).hostname;
  return new Promise((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port: HTTPS_PORT, servername: host, path: '/', ca: CA, agent: false, headers: { Host: `${host}:${HTTPS_PORT}` } }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

const answers = (url: string) =>
  waitFor(async () => {
    const r = await viaCaddy(url).catch(() => undefined);
    return r?.status === 200 ? r : undefined;
  }, { timeoutMs: 15_000, onTimeout: () => new Error(`${url} did not answer through Caddy`) });

/** A repository with the demo app: its Dockerfile and bundle, on `branch`, with an origin remote. */
function sampleProject(name: string, branch: string, files: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'examples', 'hello-world', 'Dockerfile'), join(dir, 'Dockerfile'));
  cpSync(join(ROOT, 'examples', 'hello-world', 'dist', 'server.mjs'), join(dir, 'dist', 'server.mjs'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('remote', 'add', 'origin', `https://gitlab.example.com/demo-group/${name}.git`);
  git('add', '-A');
  git('commit', '-qm', 'the sample app');
  if (branch !== 'main') git('checkout', '-q', '-b', branch);
  return dir;
}

describe('the GitLab pipeline, run by gitlab-ci-local with the shell executor', () => {
  let dir = '';
  const gitlab = (args: string[]) =>
    run(GITLAB_CI_LOCAL, ['--force-shell-executor', '--ignore-predefined-vars', 'CI_REGISTRY,CI_REGISTRY_IMAGE,CI_REGISTRY_USER,CI_REGISTRY_PASSWORD,CI_PIPELINE_SOURCE', ...args], {
      cwd: dir,
      env: { PATH, HOME: work, DOCKER_CONFIG: join(work, 'docker-config') },
    });

  before(() => {
    dir = sampleProject('sample', 'feature-x', {
      // The project's whole pipeline: the template, and two settings.
      '.gitlab-ci.yml': 'include:\n  - local: ci/gitlab.yml\n\nvariables:\n  NOMAD_VAR_CHECK_PATH: /healthcheck\n  NOM_TEST_SCRIPT: test -f Dockerfile\n',
      'ci/gitlab.yml': readFileSync(join(ROOT, 'ci', 'gitlab.yml'), 'utf8'),
    });
    // The project's CI/CD variables (untracked, as in GitLab's settings).
    writeFileSync(join(dir, '.gitlab-ci-local-variables.yml'), [
      `CI_REGISTRY: ${registryAddress}`, `CI_REGISTRY_IMAGE: ${registryAddress}/demo-group/sample`, 'CI_REGISTRY_USER: ci', 'CI_REGISTRY_PASSWORD: ci-password',
      `NOMAD_ADDR: ${process.env.NOMAD_ADDR}`, `NOMAD_TOKEN: ${process.env.NOMAD_TOKEN}`, 'BASE_DOMAIN: nom.localhost', 'NOM_BUILDER: docker', '',
    ].join('\n'));
    writeFileSync(join(dir, '.git', 'info', 'exclude'), '.gitlab-ci-local-variables.yml\n.gitlab-ci-local/\ndeploy.env\n');
    jobs.push('demo-group-sample-feature-x');
  });

  it('a review branch builds, tests, deploys, and the URL its deploy job reports answers through the router', async () => {
    const pipeline = await gitlab([]);
    assert.equal(pipeline.code, 0, pipeline.out);
    for (const job of ['build-docker', 'test', 'deploy-review']) assert.match(pipeline.out, new RegExp(`PASS\\s+${job}`));
    const url = /^DYNAMIC_ENVIRONMENT_URL=(.+)$/m.exec(readFileSync(join(dir, 'deploy.env'), 'utf8'))![1]!;
    assert.equal(url, 'https://demo-group-sample-feature-x.nom.localhost');
    assert.match((await answers(url)).body, /demo-group-sample-feature-x\.nom\.localhost/);
    const deployed = await nomad.jobs.read('demo-group-sample-feature-x', 'default');
    assert.equal((deployed!.TaskGroups[0]!.Tasks[0]!.Config as { image: string }).image, `${registryAddress}/demo-group/sample/feature-x:${execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim()}`);
  });

  it('its stop job removes the review app', async () => {
    const stop = await gitlab(['stop-review']);
    assert.equal(stop.code, 0, stop.out);
    assert.equal(await nomad.jobs.read('demo-group-sample-feature-x', 'default'), undefined);
    const left = await nomad.allocations.list({ namespace: 'default' });
    assert.ok(!left.some((a) => a.JobID === 'demo-group-sample-feature-x' && a.ClientStatus === 'running'), 'an allocation of the review app still runs');
  });

  it('main deploys without a stop job; NOMAD_VAR_NO_DEPLOY, merge requests, BUILD_DISABLED and TEST_DISABLED are honoured', async () => {
    const jobsOf = async (args: string[]) => {
      const listed = await gitlab(['--list', ...args]);
      assert.equal(listed.code, 0, listed.out);
      return listed.out.split('\n').slice(listed.out.split('\n').findIndex((l) => l.startsWith('name')) + 1).map((l) => l.split(/\s+/)[0]).filter(Boolean);
    };
    assert.deepEqual(await jobsOf([]), ['build-docker', 'test', 'deploy-review', 'stop-review']);
    assert.deepEqual(await jobsOf(['--variable', 'NOMAD_VAR_NO_DEPLOY=true']), ['build-docker', 'test']);
    assert.deepEqual(await jobsOf(['--variable', 'BUILD_DISABLED=1', '--variable', 'TEST_DISABLED=1']), ['deploy-review', 'stop-review']);
    assert.deepEqual(await jobsOf(['--variable', 'NOM_BUILDER=dind']), ['build', 'test', 'deploy-review', 'stop-review']);
    assert.deepEqual(await jobsOf(['--variable', 'CI_PIPELINE_SOURCE=merge_request_event']), []);
    execFileSync('git', ['checkout', '-q', 'main'], { cwd: dir });
    assert.deepEqual(await jobsOf([]), ['build-docker', 'test', 'deploy']);
    execFileSync('git', ['checkout', '-q', '-b', 'production'], { cwd: dir });
    assert.deepEqual(await jobsOf([]), ['build-docker', 'test', 'deploy']);
  });
});

describe('the GitHub action\'s script, with GitHub\'s variables', () => {
  const image = () => `${registryAddress}/demo-org/sample:feature-y`;
  // What GitHub gives a step: its variables, and every input of the action, blank when not set.
  const github = (extra: Record<string, string>) => {
    const inputs = Object.fromEntries(Object.keys(parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')).inputs).filter((k) => k.startsWith('NOMAD_VAR_')).map((k) => [k, '']));
    return {
      PATH, HOME: work, ...inputs, GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'Demo-Org/Sample', GITHUB_REF_NAME: 'feature-y', GITHUB_SHA: '0123456789abcdef',
      GITHUB_OUTPUT: join(work, 'github-output'), GITHUB_STEP_SUMMARY: join(work, 'github-summary'), NOMAD_ADDR: process.env.NOMAD_ADDR!, NOMAD_TOKEN: process.env.NOMAD_TOKEN!,
      BASE_DOMAIN: 'nom.localhost', CI_GITHUB_IMAGE: image(), NOMAD_VAR_CHECK_PATH: '/healthcheck', ...extra,
    };
  };

  it('deploys: outputs url and job, a summary, the URL answers, and the secret is not in the job', async () => {
    // The image a build job pushed: the demo app.
    execFileSync('docker', ['tag', `nom.local/examples/hello-world/main:${process.env.NOM_TEST_IMAGE_TAG}`, image()]);
    execFileSync('docker', ['push', '-q', image()], { env: { ...process.env, DOCKER_CONFIG: join(work, 'docker-config') } });
    jobs.push('demo-org-sample-feature-y');
    const deploy = await run('bash', [join(ROOT, 'ci', 'github-action.sh')], { cwd: work, env: github({ NOMAD_SECRETS: '{"API_KEY": "not-in-the-job-7c1e"}' }) });
    assert.equal(deploy.code, 0, deploy.out);
    const outputs = readFileSync(join(work, 'github-output'), 'utf8');
    assert.match(outputs, /^url=https:\/\/demo-org-sample-feature-y\.nom\.localhost$/m);
    assert.match(outputs, /^job=demo-org-sample-feature-y$/m);
    assert.match(readFileSync(join(work, 'github-summary'), 'utf8'), /\| url \| https:\/\/demo-org-sample-feature-y\.nom\.localhost \|/);
    assert.match((await answers('https://demo-org-sample-feature-y.nom.localhost')).body, /hi world/);
    assert.ok(!JSON.stringify(await nomad.jobs.read('demo-org-sample-feature-y', 'default')).includes('not-in-the-job-7c1e'));
    assert.ok(!deploy.out.includes('not-in-the-job-7c1e'));
  });

  it('stops the branch\'s deployment with command stop, as the workflow does when the branch is deleted', async () => {
    const stop = await run('bash', [join(ROOT, 'ci', 'github-action.sh')], { cwd: work, env: github({ NOM_COMMAND: 'stop' }) });
    assert.equal(stop.code, 0, stop.out);
    assert.equal(await nomad.jobs.read('demo-org-sample-feature-y', 'default'), undefined);
  });
});

describe('the nom CI image', () => {
  it('builds from ci/Dockerfile and runs nom: its version, and a render of a pipeline\'s job', async () => {
    // The base: the registry-free node image the demo app uses (node:20-alpine in real builds).
    const built = execFileSync('bash', [join(ROOT, 'scripts', 'build-ci-image.sh'), 'nom-ci-test'], { env: { ...process.env, NODE_IMAGE: 'nom-node-base:local' }, encoding: 'utf8' }).trim().split('\n').pop()!;
    try {
      const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
      assert.equal(built, `nom-ci-test:${version}`);
      assert.equal(execFileSync('docker', ['run', '--rm', '--network', 'none', built, 'nom', '--version'], { encoding: 'utf8' }).trim(), version);
      const env = ['CI_PROJECT_PATH_SLUG=group-app', 'CI_PROJECT_NAME=app', 'CI_COMMIT_REF_SLUG=main', 'CI_COMMIT_SHA=abc', 'CI_REGISTRY_IMAGE=registry.example.com/group/app', 'BASE_DOMAIN=dev.example.com'];
      const rendered = JSON.parse(execFileSync('docker', ['run', '--rm', '--network', 'none', ...env.flatMap((e) => ['-e', e]), built, 'nom', 'render'], { encoding: 'utf8' }));
      assert.equal(rendered.Job.ID, 'group-app');
    } finally {
      execFileSync('bash', ['-c', `docker image ls -q nom-ci-test | sort -u | xargs -r docker image rm -f >/dev/null`]);
    }
  });
});
