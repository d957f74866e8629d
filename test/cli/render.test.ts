import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gitlab } from '../helpers/env-fixtures.js';

const NOM = fileURLToPath(new URL('../../bin/nom', import.meta.url));
const temp: string[] = [];
const tempDir = (prefix: string) => (temp.push(mkdtempSync(join(tmpdir(), prefix))), temp.at(-1)!);
after(() => temp.forEach((d) => rmSync(d, { recursive: true, force: true })));
const FIXTURE = new URL('../fixtures/production-render.json', import.meta.url);

/** Runs the built CLI with exactly this environment (plus PATH), as CI would. */
function nom(args: string[], env: Record<string, string | undefined>, cwd = tmpdir()) {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const run = spawnSync(process.execPath, [NOM, ...args], { env: { PATH: process.env.PATH!, ...clean }, encoding: 'utf8', cwd });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

// A production deploy with two extra ports (one HTTPS, one raw TCP), a persistent volume,
// secrets and a registry read token: the job the integration suite submits to a real Nomad.
const productionEnv = gitlab({
  CI_COMMIT_REF_SLUG: 'production',
  NOMAD_TOKEN_PROD: 'prod-token-value',
  NOMAD_VAR_PORTS: '{ 5000 = "http", 8080 = "admin", -7777 = "irc" }',
  NOMAD_VAR_PERSISTENT_VOLUME: '/data',
  NOMAD_SECRET_DATABASE_URL: 'postgres://app:hunter2@db.internal/app',
  NOMAD_SECRET_API_KEY: 'sk-live-0123456789',
  CI_REGISTRY_READ_TOKEN: 'glpat-read-token-value',
});

describe('nom render', () => {
  it('prints the job as Nomad API JSON on stdout and the deploy lines on stderr', () => {
    const { code, stdout, stderr } = nom(['render'], productionEnv);
    assert.equal(code, 0, stderr);
    assert.deepEqual(stderr.trim().split('\n'), [
      'using nomad production token',
      'nomad cluster https://prod.example.com',
      'deploying to https://my-site.prod.example.com',
    ]);
    const { Job } = JSON.parse(stdout);
    assert.equal(Job.ID, 'example-org-my-site');
    assert.equal(Job.TaskGroups[0].Count, 3);
  });

  it('renders the production fixture exactly (regenerate with UPDATE_FIXTURES=1)', () => {
    const { stdout } = nom(['render'], productionEnv);
    if (process.env.UPDATE_FIXTURES) writeFileSync(FIXTURE, stdout);
    assert.equal(stdout, readFileSync(FIXTURE, 'utf8'));
  });

  it('never prints a secret value, in the job or anywhere else', () => {
    const { stdout, stderr } = nom(['render', '--explain'], productionEnv);
    for (const secret of ['hunter2', 'sk-live-0123456789', 'glpat-read-token-value', 'prod-token-value']) {
      assert.ok(!stdout.includes(secret) && !stderr.includes(secret), `${secret} leaked`);
    }
    assert.match(stderr, /secrets: API_KEY, DATABASE_URL \(values not shown\)/);
  });

  it('needs no cluster and no token', () => {
    const { code } = nom(['render'], gitlab({ NOMAD_ADDR: 'http://127.0.0.1:1' }));
    assert.equal(code, 0);
  });

  for (const [name, value] of [
    ['MEMORY', 'lots'],
    ['PORTS', '{ 5000 = "web" }'],
    ['CHECK_PROTOCOL', 'grpc'],
    ['COUNT', '-1'],
    ['HEALTH_TIMEOUT', 'soon'],
    ['HOSTNAMES', '["not a host"]'],
    ['HOME', 'yes'],
  ]) {
    it(`bad input ${name}=${value}: exit 2, one line naming the variable, no stack trace`, () => {
      const { code, stdout, stderr } = nom(['render'], gitlab({ CI_COMMIT_REF_SLUG: 'main', [`NOMAD_VAR_${name}`]: value }));
      assert.equal(code, 2);
      assert.equal(stdout, '');
      const lines = stderr.trim().split('\n');
      assert.equal(lines.length, 1, stderr);
      assert.match(lines[0]!, new RegExp(`^nom: NOMAD_VAR_${name} is `));
      assert.doesNotMatch(stderr, /\n\s+at /);
    });
  }

  it('outside CI and outside a git checkout it names the variables it needs', () => {
    const { code, stderr } = nom(['render'], {}, tempDir('nom-not-git-'));
    assert.equal(code, 2);
    assert.match(stderr, /^nom: CI_PROJECT_PATH_SLUG is not set/);
  });

  it('outside CI, in a git checkout, it renders the job nom deploy would submit from it', () => {
    const app = tempDir('nom-render-app-');
    const git = (...args: string[]) => spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: app });
    git('init', '-q', '-b', 'feature/login');
    git('remote', 'add', 'origin', 'git@gitlab.example.com:acme/shop.git');
    writeFileSync(join(app, 'Dockerfile'), 'FROM scratch\n');
    git('add', '.');
    git('commit', '-qm', 'app');
    const commit = git('rev-parse', 'HEAD').stdout.toString().trim();
    const { code, stdout, stderr } = nom(['render', app], { NOMAD_ADDR: 'https://nomad.example.com:4646', BASE_DOMAIN: 'dev.example.com' });
    assert.equal(code, 0, stderr);
    const { Job } = JSON.parse(stdout);
    assert.equal(Job.ID, 'acme-shop-feature-login');
    assert.equal(Job.TaskGroups[0].Tasks[0].Config.image, `nom.local/acme/shop/feature-login:${commit}`);
    assert.match(stderr, /^deploying to https:\/\/acme-shop-feature-login\.dev\.example\.com$/m);
  });

  it('NO_DEPLOY: says so, prints no job, succeeds', () => {
    const { code, stdout, stderr } = nom(['render'], gitlab({ NOMAD_VAR_NO_DEPLOY: 'true' }));
    assert.equal(code, 0);
    assert.equal(stdout, '');
    assert.equal(stderr, 'NOMAD_VAR_NO_DEPLOY is set: nothing to deploy\n');
  });

  it('an unknown command or flag is a usage error', () => {
    assert.equal(nom(['render', '--frobnicate'], gitlab()).code, 2);
    assert.equal(nom(['frobnicate'], {}).code, 2);
  });
});
