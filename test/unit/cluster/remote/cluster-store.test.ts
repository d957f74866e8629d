import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ClusterStore } from '../../../../src/cluster/remote/cluster-store.js';

const work = mkdtempSync(join(tmpdir(), 'nom-store-'));
after(() => rmSync(work, { recursive: true, force: true }));
const mode = (path: string) => statSync(path).mode & 0o777;

describe('where a cluster\'s keys and tokens are kept', () => {
  it('the management token is kept 0600 in a 0700 directory', () => {
    const store = new ClusterStore(join(work, 'new'));
    store.saveManagementToken('s3cret');
    assert.equal(store.managementToken(), 's3cret');
    assert.equal(mode(join(work, 'new', 'management-token')), 0o600);
    assert.equal(mode(join(work, 'new')), 0o700);
  });

  it('files and a directory left more open (by an older nom, by hand) are tightened', () => {
    const dir = join(work, 'old');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'ci-token'), 'a b\n', { mode: 0o644 });
    chmodSync(join(dir, 'ci-token'), 0o644);
    new ClusterStore(dir).saveCiToken('accessor', 'secret');
    assert.equal(mode(join(dir, 'ci-token')), 0o600);
    assert.equal(mode(dir), 0o700);
  });
});
