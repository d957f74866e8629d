import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ago, table } from '../../../src/operate/terminal-text.js';

describe('terminal text', () => {
  it('pads columns to the widest cell and trims the end', () => {
    assert.deepEqual(table(['A', 'BB'], [['xxx', 'y'], ['z', '']]), ['A    BB', 'xxx  y', 'z']);
  });

  it('says ages in the largest unit that fits', () => {
    assert.deepEqual([ago(5_000), ago(119_000), ago(600_000), ago(3 * 3600_000), ago(5 * 86_400_000)], ['5s', '119s', '10m', '3h', '5d']);
  });
});
