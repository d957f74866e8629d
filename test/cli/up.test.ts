import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/free-port.js';

const NOM = fileURLToPath(new URL('../../bin/nom', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'nom-home-'));
after(() => rmSync(home, { recursive: true, force: true }));

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
    assert.match(stderr, /no nomad binary: none on PATH or in .*cache\/bin, and the official release could not be installed \(cannot download .*ECONNREFUSED\)/);
    assert.match(stderr, /set NOM_NOMAD_BIN/);
    assert.match(stderr, /scripts\/build-nomad\.sh/);
    assert.doesNotMatch(stderr, /\n\s+at /);
  });

  it('without a Docker engine, it exits non-zero and says how to get one', () => {
    const { code, stderr } = nom(['up'], { NOM_NOMAD_BIN: '/bin/true', NOM_CADDY_BIN: '/bin/true', DOCKER_HOST: `unix://${join(home, 'no-docker.sock')}` });
    assert.equal(code, 1);
    assert.match(stderr, /^nom: no Docker engine answers at .*no-docker\.sock: start it .*or run `nom up --install-deps`/);
  });

  it('without a caddy binary, it says how to provide one', () => {
    const { code, stderr } = nom(['up'], { NOM_NOMAD_BIN: '/bin/true' });
    assert.equal(code, 1);
    assert.match(stderr, /^nom: no caddy binary: .* set NOM_CADDY_BIN, or build it .* scripts\/build-caddy\.sh/);
  });

  it('nom env without a cluster says to run nom up', () => {
    const { code, stderr } = nom(['env'], {});
    assert.equal(code, 1);
    assert.match(stderr, /no local cluster in .*: run `nom up` first/);
  });
});
