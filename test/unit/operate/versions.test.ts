import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { historyLines, rollbackTarget, versionRows } from '../../../src/operate/versions.js';
import { NOW, webJob } from '../../helpers/nomad-fixtures.js';

describe('history and rollback', () => {
  const versions = [webJob(0, 'web:a'), webJob(1, 'web:b'), webJob(2, 'web:c', { Stable: false }), webJob(3, 'web:b')];

  it('lists versions newest first with their image and commit', () => {
    const rows = versionRows(versions, 3);
    assert.deepEqual(rows.map((r) => [r.version, r.current, r.stable, r.images]), [[3, true, true, ['web:b']], [2, false, false, ['web:c']], [1, false, true, ['web:b']], [0, false, true, ['web:a']]]);
    assert.match(historyLines(rows, { now: NOW })[1]!, /^3 \(current\)\s+57m ago\s+yes\s+web:b\s+commit300000$/);
  });

  it('goes back to the newest earlier stable version that runs something else', () => {
    assert.equal(rollbackTarget(versions.slice(0, 2), { ID: 'web', Version: 1 }).Version, 0);
    // Version 3 is Nomad's automatic revert of the failed 2 to 1: back from 3 is 0, not 1 again.
    const again = versions.map((v) => (v.Version === 3 ? { ...v, Meta: versions[1]!.Meta } : v));
    assert.equal(rollbackTarget(again, { ID: 'web', Version: 3 }).Version, 0);
  });

  it('takes a version asked for, and says so when there is none to go to', () => {
    assert.equal(rollbackTarget(versions, { ID: 'web', Version: 3 }, 2).Version, 2);
    assert.throws(() => rollbackTarget(versions, { ID: 'web', Version: 3 }, 7), /job web has no version 7; it keeps 0, 1, 2, 3/);
    assert.throws(() => rollbackTarget(versions, { ID: 'web', Version: 3 }, 3), /version 3 is the current version of web/);
    assert.throws(() => rollbackTarget([versions[0]!], { ID: 'web', Version: 0 }), /no earlier stable version/);
  });
});
