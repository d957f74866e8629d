/**
 * A person's mistakes on the command line: each is exit 2 and one line naming the flag or the
 * variable (a usage error adds the command's usage line), never "run again with --debug".
 * Nothing here reaches a cluster: the address is a closed port on loopback.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/free-port.js';

const NOM = fileURLToPath(new URL('../../bin/nom', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'nom-misuse-'));
let closed = '';
before(async () => {
  closed = `http://127.0.0.1:${await freePort()}`;
});
after(() => rmSync(home, { recursive: true, force: true }));

function nom(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [NOM, ...args], {
    encoding: 'utf8',
    cwd: home,
    env: { PATH: process.env.PATH!, HOME: home, NOM_HOME: join(home, 'nom'), NOMAD_ADDR: closed, ...env },
  });
  return { code: run.status, lines: run.stderr.trimEnd().split('\n'), stderr: run.stderr };
}

function assertUsageError(r: ReturnType<typeof nom>, first: RegExp, usage?: RegExp) {
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.lines[0]!, first);
  if (usage) {
    assert.equal(r.lines.length, 2, r.stderr);
    assert.match(r.lines[1]!, usage);
  } else {
    assert.equal(r.lines.length, 1, r.stderr);
  }
  assert.doesNotMatch(r.stderr, /--debug|Options:|\n\s+at /);
}

describe('mistakes on the command line', () => {
  it('nom stop outside CI without a job says to name it', () => {
    assertUsageError(nom(['stop']), /^nom: name the job to stop: nom stop <job>/);
  });

  it('nom completion without a shell names the shells', () => {
    assertUsageError(nom(['completion']), /^nom: nom completion needs a shell, bash or zsh/);
  });

  it('nom router without --config names the flag', () => {
    assertUsageError(nom(['router']), /^nom: nom router needs --config <file>/);
  });

  it('nom router with a --config it cannot read names the file', () => {
    assertUsageError(nom(['router', '--config', '/nonexistent/router.json']), /^nom: --config \/nonexistent\/router\.json: cannot read it \(ENOENT\)$/);
  });

  it('a NOMAD_ADDR without a scheme names the variable before anything is sent', () => {
    assertUsageError(nom(['status', 'some-job'], { NOMAD_ADDR: '127.0.0.1:4646' }), /^nom: NOMAD_ADDR "127\.0\.0\.1:4646" is not an http:\/\/ or https:\/\/ address: write it like https:\/\/nomad\.example\.com:4646$/);
  });

  it('an unknown flag prints the command\'s usage line, not its whole help', () => {
    assertUsageError(nom(['ssh', 'some-job', '--bogus']), /^nom: unknown option '--bogus'$/, /^usage: nom ssh \[options\] \[job\] \[command\.\.\.\] \(see nom ssh --help\)$/);
    assertUsageError(nom(['cluster', 'create']), /^nom: missing required argument 'hosts'$/, /^usage: nom cluster create \[options\] <hosts\.\.\.>/);
  });

  it('nom logs -n is the number of lines, as in nomad alloc logs', () => {
    assertUsageError(nom(['logs', 'some-job', '-n', 'fifty']), /^nom: option '-n, --lines <lines>' argument 'fifty' is invalid\. expected a number of lines/, /^usage: nom logs /);
    // A valid count gets as far as the cluster (here: nothing answers), not a namespace called "50".
    const r = nom(['logs', 'some-job', '-n', '50']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^nom: cannot reach Nomad: GET http:\/\/127\.0\.0\.1:\d+\/v1\/job\/some-job failed/);
  });

  it('nom logs --tail follows, as Heroku and Dokku say it', () => {
    const r = nom(['logs', 'some-job', '--tail']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^nom: cannot reach Nomad/);
  });

  it('a bad setting stops nom deploy before any image is built', () => {
    const app = join(home, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'Dockerfile'), 'FROM scratch\n');
    const git = (...args: string[]) => spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: app });
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-qm', 'app');
    const r = nom(['deploy', app], { NOMAD_VAR_MEMORY: 'lots', DOCKER_HOST: `unix://${join(home, 'no-docker.sock')}` });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^nom: NOMAD_VAR_MEMORY/m);
    assert.doesNotMatch(r.stderr, /building|--debug/);
  });

  it('nom ssh <job> -it is taken as nomad alloc exec -i -t takes it', () => {
    const r = nom(['ssh', 'some-job', '-it']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^nom: cannot reach Nomad/);
  });

  it('nom console without a cluster says where the console URL comes from; with NOM_CONSOLE_URL it prints it', () => {
    const none = nom(['console', '--no-open']);
    assert.equal(none.code, 1, none.stderr);
    assert.match(none.stderr, /no console known: run `nom up`, or set NOM_CONSOLE_URL/);
    const run = spawnSync(process.execPath, [NOM, 'console', '--no-open'], { encoding: 'utf8', cwd: home, env: { PATH: process.env.PATH!, HOME: home, NOM_HOME: join(home, 'nom'), NOM_CONSOLE_URL: 'https://nom.apps.example.com/' } });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'https://nom.apps.example.com/\n');
    assert.match(run.stderr, /sign in with a Nomad token/);
  });
});
