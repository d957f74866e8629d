import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobScaleStatus, ScalingEvent } from '../../../src/nomad/jobs.js';
import { DEFAULT_SLEEP, dueToSleep, expired, parsePeriod, sleepAfterMs, sleepBlock, sleepDefaults, wakeCounts } from '../../../src/router/sleep-policy.js';

const event = (over: Partial<ScalingEvent>): ScalingEvent => ({ Count: 0, PreviousCount: 2, Message: 'nom: asleep after 60s without a request', Meta: { nom_sleep: 'true' }, Error: false, Time: 2e18, ...over });
const status = (groups: Record<string, { Desired: number; Events: ScalingEvent[] }>): JobScaleStatus => ({
  JobModifyIndex: 9,
  TaskGroups: Object.fromEntries(Object.entries(groups).map(([name, g]) => [name, { ...g, Running: 0, Healthy: 0 }])),
});

describe('when apps sleep', () => {
  it('takes the job\'s own NOMAD_VAR_SLEEP_AFTER first, else the cluster\'s default for review apps; main, staging and production never', () => {
    const defaults = { reviewApps: { ms: 3_600_000 } } as const;
    assert.equal(sleepAfterMs({ nom_environment: 'review' }, defaults), 3_600_000);
    assert.equal(sleepAfterMs({ nom_environment: 'review', nom_sleep_after: '600s' }, defaults), 600_000);
    assert.equal(sleepAfterMs({ nom_environment: 'review', nom_sleep_after: 'never' }, defaults), undefined);
    for (const env of ['main', 'staging', 'production']) assert.equal(sleepAfterMs({ nom_environment: env }, defaults), undefined, env);
    // Unless they say so themselves.
    assert.equal(sleepAfterMs({ nom_environment: 'main', nom_sleep_after: '600s' }, defaults), 600_000);
    // A job nom did not deploy, or meta nobody can read: awake.
    assert.equal(sleepAfterMs(undefined, defaults), undefined);
    assert.equal(sleepAfterMs({ nom_environment: 'review', nom_sleep_after: 'whenever' }, defaults), undefined);
    assert.equal(sleepAfterMs({ nom_environment: 'review' }, { reviewApps: 'never' }), undefined);
  });

  it('puts to sleep the jobs idle for their time, not those being deployed', () => {
    const now = 1_000_000;
    assert.deepEqual(
      dueToSleep([
        { job: 'default/idle', sleepAfterMs: 60_000, lastActivity: now - 60_000, deploying: false },
        { job: 'default/busy', sleepAfterMs: 60_000, lastActivity: now - 59_000, deploying: false },
        { job: 'default/deploying', sleepAfterMs: 60_000, lastActivity: 0, deploying: true },
      ], now),
      ['default/idle'],
    );
  });

  it('wakes to the counts the sleep scaled down from, and only what nom put to sleep', () => {
    assert.deepEqual(wakeCounts(status({ web: { Desired: 0, Events: [event({ Time: 1 }), event({ Time: 3, PreviousCount: 3 }), event({ Time: 2, PreviousCount: 5 })] } })), new Map([['web', 3]]));
    // Scaled to zero by hand (no nom meta), deployed with none, or woken already: nothing to wake.
    assert.equal(wakeCounts(status({ web: { Desired: 0, Events: [event({ Meta: null })] } })), undefined);
    assert.equal(wakeCounts(status({ web: { Desired: 0, Events: [] } })), undefined);
    assert.equal(wakeCounts(status({ web: { Desired: 2, Events: [event({})] } })), undefined);
    // A later scale by someone else wins over the sleep.
    assert.equal(wakeCounts(status({ web: { Desired: 0, Events: [event({ Time: 1 }), event({ Time: 2, Meta: null, PreviousCount: 0, Count: 0 })] } })), undefined);
    // Put to sleep twice in a row (the router, then by hand): the count from before the first.
    assert.deepEqual(wakeCounts(status({ web: { Desired: 0, Events: [event({ Time: 1, PreviousCount: 2 }), event({ Time: 2, PreviousCount: 0 })] } })), new Map([['web', 2]]));
    // Every group must be asleep.
    assert.equal(wakeCounts(status({ web: { Desired: 0, Events: [event({})] }, worker: { Desired: 1, Events: [] } })), undefined);
  });
});

describe('when review apps expire', () => {
  it('counts from the last deploy; only review apps expire', () => {
    const day = 24 * 3_600_000;
    const now = 100 * day;
    assert.equal(expired({ nom_environment: 'review' }, now - 15 * day, now, DEFAULT_SLEEP), true);
    assert.equal(expired({ nom_environment: 'review' }, now - 13 * day, now, DEFAULT_SLEEP), false);
    assert.equal(expired({ nom_environment: 'main' }, 0, now, DEFAULT_SLEEP), false);
    assert.equal(expired({ nom_environment: 'review' }, 0, now, { ...DEFAULT_SLEEP, expireReviewAppsMs: undefined }), false);
  });

  it('reads periods in days or as durations, or never', () => {
    assert.equal(parsePeriod('14d'), 14 * 24 * 3_600_000);
    assert.equal(parsePeriod('72h'), 72 * 3_600_000);
    assert.equal(parsePeriod('never'), undefined);
    assert.throws(() => parsePeriod('two weeks'), /expected a number of days like 14d/);
  });

  it('reads a router configuration\'s sleep block, naming the key of a bad value', () => {
    assert.deepEqual(sleepDefaults(undefined), DEFAULT_SLEEP);
    assert.deepEqual(sleepDefaults({ reviewAppsAfter: '20m', expireReviewAppsAfter: '7d' }), { reviewApps: { ms: 1_200_000 }, expireReviewAppsMs: 7 * 24 * 3_600_000 });
    assert.throws(() => sleepDefaults({ reviewAppsAfter: 'later' }), /sleep\.reviewAppsAfter "later": expected a duration/);
  });

  it('makes a sleep block of what the operator gave, naming a bad value as the operator wrote it', () => {
    const names = { reviewAppsAfter: '--sleep-after', expireReviewAppsAfter: '--expire-after' };
    assert.equal(sleepBlock({}, names), undefined);
    assert.deepEqual(sleepBlock({ reviewAppsAfter: 'never' }, names), { reviewAppsAfter: 'never' });
    assert.throws(() => sleepBlock({ expireReviewAppsAfter: '3 weeks' }, names), /--expire-after "3 weeks": expected a number of days/);
  });
});
