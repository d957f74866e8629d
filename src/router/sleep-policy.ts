import { parseSleepAfter, type SleepAfter } from '../settings/sleep-after.js';
import { parseDuration } from '../settings/duration.js';
import { ValueProblem } from '../errors.js';
import type { JobScaleStatus } from '../nomad/jobs.js';

/**
 * When review apps sleep and expire: the rules, pure. A job says its own sleep timeout in its
 * meta (nom_sleep_after, from NOMAD_VAR_SLEEP_AFTER); without it a review app takes the
 * cluster's default, and main, staging and production never sleep.
 */
export interface SleepDefaults {
  /** The cluster's default for review apps. */
  readonly reviewApps: SleepAfter;
  /** A review app not deployed for this long is stopped and purged; undefined: never. */
  readonly expireReviewAppsMs?: number | undefined;
}

export const DEFAULT_SLEEP: SleepDefaults = { reviewApps: { ms: 3600_000 }, expireReviewAppsMs: 14 * 24 * 3600_000 };

/** The meta key of a sleep scale event: the router wakes only what it put to sleep. */
export const SLEEP_META = 'nom_sleep';

/** After how many milliseconds without a request the job sleeps; undefined: never. */
export function sleepAfterMs(meta: Readonly<Record<string, string>> | null | undefined, defaults: SleepDefaults): number | undefined {
  let s: SleepAfter;
  const own = meta?.nom_sleep_after;
  if (own !== undefined) {
    try {
      s = parseSleepAfter(own);
    } catch {
      return undefined; // meta written by hand and unreadable: keep the app awake
    }
  } else s = meta?.nom_environment === 'review' ? defaults.reviewApps : 'never';
  return s === 'never' ? undefined : s.ms;
}

/**
 * The counts to wake a sleeping job's groups to: each group's newest scaling event must be the
 * router's sleep (to zero), whose previous count is the one to go back to. Undefined when the job
 * is not asleep (a group scaled to zero by hand, or deployed with none, stays so).
 */
export function wakeCounts(status: Pick<JobScaleStatus, 'TaskGroups'>): Map<string, number> | undefined {
  const counts = new Map<string, number>();
  for (const [group, g] of Object.entries(status.TaskGroups ?? {})) {
    if (g.Desired !== 0) return undefined;
    // Newest first: sleeps in a row (the router's and one by hand) count from the first of them.
    let count: number | undefined;
    for (const e of [...(g.Events ?? [])].sort((a, b) => b.Time - a.Time)) {
      if (e.Meta?.[SLEEP_META] !== 'true' || e.Count !== 0) break;
      if (e.PreviousCount > 0) {
        count = e.PreviousCount;
        break;
      }
    }
    if (count === undefined) return undefined;
    counts.set(group, count);
  }
  return counts.size ? counts : undefined;
}

/** What the sleep rule needs of an awake job. */
export interface AwakeJob {
  /** namespace/job */
  readonly job: string;
  readonly sleepAfterMs: number;
  /** The newest of: its last request, its last deploy, its last wake, the router's start (ms). */
  readonly lastActivity: number;
  /** A deployment is under way: Nomad refuses to scale it, and it is being worked on. */
  readonly deploying: boolean;
}

/** The jobs to put to sleep now. */
export function dueToSleep(jobs: readonly AwakeJob[], now: number): string[] {
  return jobs.filter((j) => !j.deploying && now - j.lastActivity >= j.sleepAfterMs).map((j) => j.job);
}

/** Whether a review app has gone unredeployed past the cluster's expiry. */
export function expired(meta: Readonly<Record<string, string>> | null | undefined, submitTimeMs: number, now: number, defaults: SleepDefaults): boolean {
  return meta?.nom_environment === 'review' && defaults.expireReviewAppsMs !== undefined && now - submitTimeMs > defaults.expireReviewAppsMs;
}

/** A period of days or a duration: "14d", "336h", or never. */
export function parsePeriod(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'never' || t === 'off' || t === '0') return undefined;
  const days = /^([0-9]+)d$/.exec(t);
  if (days) return Number(days[1]) * 24 * 3600_000;
  try {
    return parseDuration(t) / 1e6;
  } catch {
    throw new ValueProblem('expected a number of days like 14d, a duration like 72h, or never');
  }
}

/** The `sleep` block of a router's configuration: texts as the operator gave them. */
export interface SleepBlock {
  readonly reviewAppsAfter?: string | undefined;
  readonly expireReviewAppsAfter?: string | undefined;
}

/** Where each value of a block came from, for the error that names it. */
export type SleepNames = { readonly [K in keyof SleepBlock]-?: string };

const CONFIG_NAMES: SleepNames = { reviewAppsAfter: 'sleep.reviewAppsAfter', expireReviewAppsAfter: 'sleep.expireReviewAppsAfter' };

/** A `sleep` block as rules; a bad value names where it came from (a key of the configuration by default). */
export function sleepDefaults(config: SleepBlock | undefined, names: SleepNames = CONFIG_NAMES): SleepDefaults {
  const read = <T>(key: keyof SleepBlock, parse: (t: string) => T, fallback: T): T => {
    const text = config?.[key];
    if (text === undefined) return fallback;
    try {
      return parse(text);
    } catch (e) {
      throw new ValueProblem(`${names[key]} ${JSON.stringify(text)}: ${(e as Error).message}`);
    }
  };
  return {
    reviewApps: read('reviewAppsAfter', parseSleepAfter, DEFAULT_SLEEP.reviewApps),
    expireReviewAppsMs: read('expireReviewAppsAfter', parsePeriod, DEFAULT_SLEEP.expireReviewAppsMs),
  };
}

/**
 * The `sleep` block for a router from what the operator gave (flags of cluster create, variables
 * of nom up), checked before anything starts; undefined when nothing was given.
 */
export function sleepBlock(given: SleepBlock, names: SleepNames): SleepBlock | undefined {
  sleepDefaults(given, names);
  const block = Object.fromEntries(Object.entries(given).filter(([, text]) => text)) as SleepBlock;
  return Object.keys(block).length ? block : undefined;
}
