/** Tests mirror src/: a module's tests are at test/unit/<its path>.test.ts, so they are found by its name. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('where tests live', () => {
  it('every file under test/unit/ tests the module of src/ with its path', () => {
    const orphans = files(join(ROOT, 'test/unit'))
      .map((f) => relative(join(ROOT, 'test/unit'), f))
      .filter((f) => !f.endsWith('.test.ts') || !existsSync(join(ROOT, 'src', f.replace(/\.test\.ts$/, '.ts'))));
    assert.deepEqual(orphans, [], 'name a unit test after its module (src/x/y.ts → test/unit/x/y.test.ts)');
  });
});
