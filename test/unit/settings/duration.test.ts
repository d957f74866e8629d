import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValueProblem } from '../../../src/errors.js';
import { parseDuration } from '../../../src/settings/duration.js';

describe('durations', () => {
  it('reads Go durations into nanoseconds', () => {
    assert.equal(parseDuration('2s'), 2e9);
    assert.equal(parseDuration('1m30s'), 90e9);
    assert.equal(parseDuration('1.5h'), 5400e9);
    assert.equal(parseDuration('250ms'), 250e6);
  });

  for (const bad of ['soon', '20', '2 s', '-1s', '', 's']) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parseDuration(bad), ValueProblem);
    });
  }
});
