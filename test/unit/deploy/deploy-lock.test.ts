import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readLock } from '../../../src/deploy/deploy-lock.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');

describe('the deploy lock', () => {
  it('a lock nom wrote and renews is live, with its holder and since when', () => {
    assert.deepEqual(readLock({ holder: 'https://gitlab.example.com/g/p/-/jobs/7 (runner pid 1)', since: String(NOW - 60_000), expires: String(NOW + 20_000) }, NOW), {
      live: { holder: 'https://gitlab.example.com/g/p/-/jobs/7 (runner pid 1)', since: NOW - 60_000, expires: NOW + 20_000 },
    });
  });

  it('one whose holder stopped renewing it is stale', () => {
    assert.match((readLock({ holder: 'h', since: String(NOW - 90_000), expires: String(NOW - 1) }, NOW) as { stale: string }).stale, /h stopped renewing it/);
  });

  it('anything a deploy token could plant instead is stale: garbage, no holder, a time far ahead', () => {
    for (const items of [{ holder: 'x', expires: 'never' }, { expires: String(NOW + 1000) }, { holder: 'x', expires: String(NOW + 365 * 86_400_000) }, {}] as Record<string, string>[]) {
      assert.ok('stale' in readLock(items, NOW), JSON.stringify(items));
    }
  });
});
