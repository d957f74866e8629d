/**
 * The scripts that build Nomad, Consul and Caddy from the Go module proxy, run as a user runs them.
 * The licence gate is tested against a module proxy on disk (GOPROXY=file://…) that serves a
 * "Nomad 1.6.3" whose LICENSE is the Business Source License: nothing may be built from it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { zipOf } from '../helpers/zip.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'nom-build-scripts-'));
after(() => {
  spawnSync('chmod', ['-R', 'u+w', work]);
  rmSync(work, { recursive: true, force: true });
});

function script(name: string, args: string[], env: Record<string, string> = {}) {
  const run = spawnSync('bash', [join(ROOT, 'scripts', name), ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH!, HOME: work, NOM_CACHE: join(work, 'cache'), ...env },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A Go module proxy on disk serving one module version, made of `files`. */
function moduleProxy(module: string, version: string, files: Record<string, string>): string {
  const proxy = join(work, `proxy-${readdirSync(work).length}`);
  const dir = join(proxy, module, '@v');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'list'), `${version}\n`);
  writeFileSync(join(dir, `${version}.info`), JSON.stringify({ Version: version, Time: '2023-10-30T12:58:10Z' }));
  writeFileSync(join(dir, `${version}.mod`), `module ${module}\n\ngo 1.21\n`);
  const entries = Object.fromEntries(Object.entries({ 'go.mod': `module ${module}\n\ngo 1.21\n`, ...files }).map(([f, c]) => [`${module}@${version}/${f}`, c]));
  writeFileSync(join(dir, `${version}.zip`), zipOf(entries));
  return `file://${proxy}`;
}

describe('scripts/build-nomad.sh', () => {
  for (const version of ['1.7.0', '1.11.3', '2.0.5']) {
    it(`refuses to build Nomad ${version}, which is under the Business Source License, before downloading anything`, () => {
      const { code, stderr } = script('build-nomad.sh', [version]);
      assert.equal(code, 1);
      assert.match(stderr, new RegExp(`nom builds Nomad 1\\.6\\.3 only, not '${version.replaceAll('.', '\\.')}'.*MPL-2\\.0.*Business Source License`));
      assert.equal(existsSync(join(work, 'cache', 'build')), false, 'it made a build directory');
    });
  }

  it('checks the licence of what the proxy served and builds nothing that is not MPL-2.0', () => {
    const goproxy = moduleProxy('github.com/hashicorp/nomad', 'v1.6.3', {
      LICENSE: 'License text copyright (c) 2023 HashiCorp, Inc. All rights reserved.\n\nBusiness Source License 1.1\n',
      'main.go': 'package main\n\nfunc main() {}\n',
    });
    const { code, stderr } = script('build-nomad.sh', [], { GOPROXY: goproxy, GOSUMDB: 'off', GOFLAGS: '-modcacherw', GOMODCACHE: join(work, 'modcache'), GOTOOLCHAIN: 'local' });
    assert.equal(code, 1, stderr);
    assert.match(stderr, /github\.com\/hashicorp\/nomad@v1\.6\.3 is not under the Mozilla Public License 2\.0 \(.*Business Source License.*\): nom builds only open-source Nomad/);
    assert.doesNotMatch(stderr, /building Nomad/);
    assert.equal(existsSync(join(work, 'cache', 'bin', 'nomad-1.6.3')), false);
  });
});

describe('scripts/build-consul.sh', () => {
  it('refuses Consul 1.15 and later, whose modules are not all open source, before downloading anything', () => {
    const { code, stderr } = script('build-consul.sh', ['1.15.0']);
    assert.equal(code, 1);
    assert.match(stderr, /nom builds Consul 1\.14\.11 only, not '1\.15\.0'/);
    const build = join(work, 'cache', 'build');
    assert.ok(!existsSync(build) || !readdirSync(build).some((f) => f.startsWith('consul')), 'it made a build directory');
  });

  it('builds nothing whose licence is not the MPL-2.0', () => {
    const goproxy = moduleProxy('github.com/hashicorp/consul', 'v1.14.11', {
      LICENSE: 'Business Source License 1.1\n',
      'main.go': 'package main\n\nfunc main() {}\n',
    });
    const { code, stderr } = script('build-consul.sh', [], { GOPROXY: goproxy, GOSUMDB: 'off', GOFLAGS: '-modcacherw', GOMODCACHE: join(work, 'modcache'), GOTOOLCHAIN: 'local' });
    assert.equal(code, 1, stderr);
    assert.match(stderr, /github\.com\/hashicorp\/consul@v1\.14\.11 is not under the Mozilla Public License 2\.0 .*: nom builds only open-source Consul/);
    assert.equal(existsSync(join(work, 'cache', 'bin', 'consul-1.14.11')), false);
  });
});

describe('scripts/build-caddy.sh', () => {
  it('says which version the proxy could not serve', () => {
    const goproxy = moduleProxy('example.com/nothing', 'v0.0.1', {});
    const { code, stderr } = script('build-caddy.sh', ['2.99.0'], { GOPROXY: goproxy, GOSUMDB: 'off', GOFLAGS: '-modcacherw', GOMODCACHE: join(work, 'modcache'), GOTOOLCHAIN: 'local' });
    assert.equal(code, 1);
    assert.match(stderr, /building Caddy v2\.99\.0 with nom.s module failed .*is v2\.99\.0 on the proxy\?/);
  });
});

describe('caddy/, the module nom builds into Caddy', () => {
  it('passes go vet and its Go tests (the upstream table, its admin API, wildcards, the 503 fallback)', () => {
    const run = (args: string[]) => spawnSync('go', args, { cwd: join(ROOT, 'caddy'), encoding: 'utf8', env: { ...process.env, GOFLAGS: '-mod=readonly' } });
    for (const args of [['vet', './...'], ['test', '-count=1', './...']]) {
      const r = run(args);
      assert.equal(r.error, undefined, 'go is not installed (npm test needs it to build Caddy)');
      assert.equal(r.status, 0, `go ${args.join(' ')}:\n${r.stdout}${r.stderr}`);
    }
  });
});

describe('the shell scripts', () => {
  it('pass shellcheck, following what they source', () => {
    const scripts = readdirSync(join(ROOT, 'scripts')).filter((f) => f.endsWith('.sh')).map((f) => join('scripts', f));
    const check = spawnSync('shellcheck', ['-x', ...scripts, '.ci/run'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(check.error, undefined, 'shellcheck is not installed (npm test installs it)');
    assert.equal(check.status, 0, check.stdout + check.stderr);
  });
});
