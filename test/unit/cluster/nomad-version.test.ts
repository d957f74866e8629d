import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { compareVersions, nomadVersionNote, parseVersion, requestedNomadVersion, tooOldNotes } from '../../../src/cluster/nomad-version.js';
import { NOMAD_VERSION } from '../../../src/cluster/versions.js';

describe('which Nomad nom runs', () => {
  it('is 1.6.3, the newest release under the MPL-2.0, pinned in versions.json with its commit', () => {
    assert.equal(NOMAD_VERSION, '1.6.3');
    const pins = JSON.parse(readFileSync(new URL('../../../versions.json', import.meta.url), 'utf8'));
    assert.equal(pins.nomad.commit, 'e0497bff14378d68cad76a801cc0eba93ce05039');
    assert.equal(pins.nomad.api, 'v0.0.0-20231030125810-e0497bff1437');
  });

  it('reads versions as Nomad and its API write them', () => {
    assert.deepEqual(parseVersion('Nomad v1.6.3'), [1, 6, 3]);
    assert.deepEqual(parseVersion('1.6.3'), [1, 6, 3]);
    assert.deepEqual(parseVersion('1.10.0-dev'), [1, 10, 0]);
    assert.deepEqual(parseVersion('Nomad v1.6.3\nBuildDate 2023-10-30'), [1, 6, 3]);
    assert.equal(parseVersion('nomad'), undefined);
    assert.ok(compareVersions([1, 10, 0], [1, 9, 9]) > 0);
    assert.equal(compareVersions([1, 6, 3], [1, 6, 3]), 0);
  });

  it('says nothing about 1.6.x, warns about older ones and names the licence of 1.7.0 and later', () => {
    assert.equal(nomadVersionNote('node a', '1.6.0'), undefined);
    assert.equal(nomadVersionNote('node a', '1.6.3'), undefined);
    assert.match(nomadVersionNote('node a', '1.5.17')!, /^node a runs Nomad 1\.5\.17, older than 1\.6\.0: .*tested on 1\.6\.3; upgrade it/);
    assert.match(nomadVersionNote('node a', '1.7.0')!, /Business Source License .*not an open-source licence; nom is tested on 1\.6\.3/);
    assert.match(nomadVersionNote('node a', 'dev')!, /cannot read/);
  });

  it('nom nodes and nom cluster status warn about the nodes older than 1.6, one line each', () => {
    const notes = tooOldNotes([
      { name: 'old-1', version: '1.5.2', kind: 'node' },
      { name: 'ok', version: '1.6.3', kind: 'node' },
      { name: 'busl', version: '1.9.0', kind: 'node' },
      { name: 'srv', version: '1.4.0', kind: 'server' },
    ]);
    assert.equal(notes.length, 2);
    assert.match(notes[0]!, /^node old-1 runs Nomad 1\.5\.2, older than 1\.6\.0/);
    assert.match(notes[1]!, /^server srv runs Nomad 1\.4\.0/);
  });

  it('--nomad-version takes a release number, 1.6 or newer', () => {
    assert.equal(requestedNomadVersion('1.6.3'), '1.6.3');
    assert.equal(requestedNomadVersion('v1.6.2'), '1.6.2');
    assert.equal(requestedNomadVersion('1.9.7'), '1.9.7'); // the operator's choice; warned about, not refused
    assert.throws(() => requestedNomadVersion('1.5.9'), /--nomad-version 1\.5\.9: nom needs Nomad 1\.6\.0 or newer/);
    assert.throws(() => requestedNomadVersion('latest'), /--nomad-version "latest" is not a Nomad release number like 1\.6\.3/);
    assert.throws(() => requestedNomadVersion('1.6.3; rm -rf /'), /not a Nomad release number/);
  });
});
