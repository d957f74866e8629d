import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { withSettingsTable } from '../../src/settings/settings-table.js';

describe('README', () => {
  it('has the settings table of the declarations (run `npm run docs` after changing one)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    assert.equal(readme, withSettingsTable(readme));
  });

  it('gives the test command and every dependency a reason', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    assert.match(readme, /npm test/);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    for (const dep of [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]) {
      assert.match(readme, new RegExp(`\\| \`${dep}\` \\|`), `README's dependency table lacks ${dep}`);
    }
  });
});
