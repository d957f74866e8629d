import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapLimit } from '../../../src/router/parallel.js';

describe('reading many things a few at a time', () => {
  it('keeps the order of the items and never runs more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const results = await mapLimit([50, 10, 30, 20, 0, 40], 3, async (ms) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      return ms * 2;
    });
    assert.deepEqual(results, [100, 20, 60, 40, 0, 80]);
    assert.equal(most, 3);
    assert.deepEqual(await mapLimit([], 3, async () => 1), []);
  });
});
