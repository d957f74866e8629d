import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findBinary, installHashicorpRelease, nomadVersionOf } from '../../../src/cluster/binaries.js';
import { NOMAD_VERSION } from '../../../src/cluster/versions.js';
import { unzipEntry } from '../../../src/cluster/unzip.js';
import { freePort } from '../../helpers/free-port.js';
import { zipOf } from '../../helpers/zip.js';

describe('nomad binaries', () => {
  const V = NOMAD_VERSION;
  const binary = Buffer.from(`#!/bin/sh\necho Nomad v${V}\n`);
  const zip = zipOf({ nomad: binary });
  let sums = `${createHash('sha256').update(zip).digest('hex')}  nomad_${V}_linux_amd64.zip\n`;
  let server: Server;
  let baseUrl: string;
  const cache = mkdtempSync(join(tmpdir(), 'nom-cache-'));

  before(async () => {
    // A release site on loopback, laid out as the official one.
    server = createServer((req, res) => {
      if (req.url === `/nomad/${V}/nomad_${V}_linux_amd64.zip`) res.end(zip);
      else if (req.url === `/nomad/${V}/nomad_${V}_SHA256SUMS`) res.end(sums);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.close();
    rmSync(cache, { recursive: true, force: true });
  });

  it('unzips one entry of a deflated archive', () => {
    assert.deepEqual(unzipEntry(zip, 'nomad'), binary);
    assert.throws(() => unzipEntry(zip, 'other'), /no entry other/);
  });

  it('installs the official release into the cache after checking its checksum', async () => {
    const path = await installHashicorpRelease('nomad', { baseUrl, version: V, arch: 'amd64' }, cache);
    assert.equal(path, join(cache, 'bin', `nomad-${V}`));
    assert.equal(readlinkSync(join(cache, 'bin', 'nomad')), `nomad-${V}`);
    assert.deepEqual(readFileSync(path), binary);
    assert.equal(findBinary('nomad', { PATH: '/nonexistent' }, cache), path);
    assert.equal(nomadVersionOf(path), `Nomad v${V}`);
  });

  it('passes over a cached nomad of another version (an older nom may have built one)', () => {
    const other = mkdtempSync(join(tmpdir(), 'nom-cache-'));
    mkdirSync(join(other, 'bin'));
    writeFileSync(join(other, 'bin', 'nomad-1.11.3'), '#!/bin/sh\necho Nomad v1.11.3\n', { mode: 0o755 });
    symlinkSync('nomad-1.11.3', join(other, 'bin', 'nomad'));
    assert.equal(findBinary('nomad', { PATH: '/nonexistent' }, other), undefined);
    rmSync(other, { recursive: true, force: true });
  });

  it('reads no version from a program that is not nomad', () => {
    assert.equal(nomadVersionOf('/bin/false'), undefined);
    assert.equal(nomadVersionOf(join(cache, 'missing')), undefined);
  });

  it('refuses a download whose checksum does not match, and installs nothing', async () => {
    const other = mkdtempSync(join(tmpdir(), 'nom-cache-'));
    sums = `${'0'.repeat(64)}  nomad_${V}_linux_amd64.zip\n`;
    await assert.rejects(installHashicorpRelease('nomad', { baseUrl, version: V, arch: 'amd64' }, other), /checksum mismatch/);
    assert.equal(existsSync(join(other, 'bin', 'nomad')), false);
    assert.equal(existsSync(join(other, 'bin', `nomad-${V}`)), false);
    rmSync(other, { recursive: true, force: true });
  });

  it('says which download failed when the site cannot be reached', async () => {
    const closedPort = await freePort();
    await assert.rejects(
      installHashicorpRelease('nomad', { baseUrl: `http://127.0.0.1:${closedPort}`, version: V, arch: 'amd64' }, cache),
      new RegExp(`cannot download http://127\\.0\\.0\\.1:${closedPort}/nomad/${V.replaceAll('.', '\\.')}/.*: ECONNREFUSED`),
    );
  });

  it('NOM_NOMAD_BIN must name an executable', () => {
    const file = join(cache, 'not-executable');
    writeFileSync(file, '', { mode: 0o644 });
    assert.throws(() => findBinary('nomad', { NOM_NOMAD_BIN: file }, cache), /NOM_NOMAD_BIN is .* not an executable file/);
  });
});
