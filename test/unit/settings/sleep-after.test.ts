import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSleepAfter, sleepAfterText } from '../../../src/settings/sleep-after.js';

describe('NOMAD_VAR_SLEEP_AFTER', () => {
  it('reads a duration, or never (off and 0 say the same)', () => {
    assert.deepEqual(parseSleepAfter('30m'), { ms: 1_800_000 });
    assert.deepEqual(parseSleepAfter('1h30m'), { ms: 5_400_000 });
    for (const never of ['never', 'off', '0', 'NEVER']) assert.equal(parseSleepAfter(never), 'never');
  });

  it('refuses what is not a duration, and one too short to be worth a wake', () => {
    assert.throws(() => parseSleepAfter('soon'), /expected a duration like 30m or 2h, or never/);
    assert.throws(() => parseSleepAfter('30'), /expected a duration/);
    assert.throws(() => parseSleepAfter('2s'), /at least 5s/);
  });

  it('is written to the job meta in seconds, and read back the same', () => {
    assert.equal(sleepAfterText({ ms: 1_800_000 }), '1800s');
    assert.equal(sleepAfterText('never'), 'never');
    assert.deepEqual(parseSleepAfter(sleepAfterText({ ms: 90_000 })), { ms: 90_000 });
  });
});
