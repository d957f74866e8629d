import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/free-port.js';

const NOM = fileURLToPath(new URL('../../bin/nom', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'nom-home-'));
after(() => rmSync(home, { recursive: true, force: true }));

/** A program that answers `version` as a nomad of that version would, and does nothing else. */
function versionOnly(version: string): string {
  const path = join(home, `nomad-${version}`);
  writeFileSync(path, `#!/bin/sh\necho "Nomad v${version}"\n`, { mode: 0o755 });
  return path;
}

function nom(args: string[], env: Record<string, string>) {
  const run = spawnSync(process.execPath, [NOM, ...args], {
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin', HOME: home, NOM_HOME: join(home, 'nom'), NOM_CACHE: join(home, 'cache'), ...env },
  });
  return { code: run.status, stderr: run.stderr };
}

describe('nom up without its prerequisites', () => {
  it('without a nomad binary and without internet, it says how to provide one', async () => {
    const { code, stderr } = nom(['up'], { NOM_RELEASES_URL: `http://127.0.0.1:${await freePort()}` });
    assert.equal(code, 1);
    assert.match(stderr, /installing Nomad 1\.6\.3 \(MPL-2\.0\) from http:\/\/127\.0\.0\.1:\d+, checksum verified/);
    assert.match(stderr, /no nomad binary: none on PATH or in .*cache\/bin, and the official Nomad 1\.6\.3 release could not be installed \(cannot download .*\/nomad\/1\.6\.3\/nomad_1\.6\.3_linux_.*ECONNREFUSED\)/);
    assert.match(stderr, /set NOM_NOMAD_BIN/);
    assert.match(stderr, /scripts\/build-nomad\.sh/);
    assert.doesNotMatch(stderr, /\n\s+at /);
  });

  it('without a Docker engine, it exits non-zero and says how to get one', () => {
    const { code, stderr } = nom(['up'], { NOM_NOMAD_BIN: versionOnly('1.6.3'), NOM_CADDY_BIN: '/bin/true', DOCKER_HOST: `unix://${join(home, 'no-docker.sock')}` });
    assert.equal(code, 1);
    assert.match(stderr, /^nom: no Docker engine answers at .*no-docker\.sock: start it .*or run `nom up --install-deps`/);
  });

  it('without a caddy built with nom\'s module and without Go, it says how to get one', () => {
    // A Caddy on PATH without nom's module does not count: the router needs the module.
    const stock = join(home, 'stock');
    mkdirSync(stock, { recursive: true });
    writeFileSync(join(stock, 'caddy'), '#!/bin/sh\necho "v2.11.9 h1:abc="\n', { mode: 0o755 });
    const { code, stderr } = nom(['up'], { NOM_NOMAD_BIN: versionOnly('1.6.3'), PATH: `${stock}:/bin` });
    assert.equal(code, 1);
    assert.match(stderr, /^nom: no caddy binary with nom's module: none on PATH or in .*cache\/bin, and building one needs Go/m);
    assert.match(stderr, /scripts\/build-caddy\.sh/);
    assert.match(stderr, /set NOM_CADDY_BIN/);
  });

  it('with --consul, without a consul binary and without internet, it says how to provide one before starting anything', async () => {
    const { code, stderr } = nom(['up', '--consul'], { NOM_NOMAD_BIN: versionOnly('1.6.3'), NOM_CADDY_BIN: '/bin/true', NOM_RELEASES_URL: `http://127.0.0.1:${await freePort()}` });
    assert.equal(code, 1);
    assert.match(stderr, /installing Consul 1\.14\.11 \(MPL-2\.0\) from http:\/\/127\.0\.0\.1:\d+, checksum verified/);
    assert.match(stderr, /^nom: no consul binary: .*the official Consul 1\.14\.11 release could not be installed \(cannot download .*\/consul\/1\.14\.11\/consul_1\.14\.11_linux_.*ECONNREFUSED\)/m);
    assert.match(stderr, /build it from the Go module proxy with .*scripts\/build-consul\.sh.*set NOM_CONSUL_BIN/);
    assert.doesNotMatch(stderr, /starting/);
  });

  it('refuses a Nomad older than 1.6, and says which one it found', () => {
    const old = versionOnly('1.5.6');
    const { code, stderr } = nom(['up'], { NOM_NOMAD_BIN: old });
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`^nom: ${old} runs Nomad 1\\.5\\.6, older than 1\\.6\\.0: .*set NOM_NOMAD_BIN to a Nomad 1\\.6\\.3`));
  });

  it('runs a Nomad under the Business Source License only with a note that says so', () => {
    const { stderr } = nom(['up'], { NOM_NOMAD_BIN: versionOnly('1.9.0'), NOM_CADDY_BIN: '/bin/true', DOCKER_HOST: `unix://${join(home, 'no-docker.sock')}` });
    assert.match(stderr, /^note: .*nomad-1\.9\.0 runs Nomad 1\.9\.0, which is under the Business Source License/m);
  });

  it('nom env without a cluster says to run nom up', () => {
    const { code, stderr } = nom(['env'], {});
    assert.equal(code, 1);
    assert.match(stderr, /no local cluster in .*: run `nom up` first/);
  });
});
