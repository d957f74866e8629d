import { ValueProblem } from '../errors.js';
import { parseDuration } from './duration.js';

/** How long an app may go without a request before the router puts it to sleep: milliseconds, or never. */
export type SleepAfter = { readonly ms: number } | 'never';

/** Shorter makes no sense: a sleeping app takes seconds to wake. */
const SHORTEST_MS = 5_000;

/** Reads NOMAD_VAR_SLEEP_AFTER (and a cluster's default): "30m", "1h30m", or "never" ("off" and "0" say the same). */
export function parseSleepAfter(text: string): SleepAfter {
  const t = text.trim().toLowerCase();
  if (t === 'never' || t === 'off' || t === '0') return 'never';
  let ms: number;
  try {
    ms = parseDuration(t) / 1e6;
  } catch {
    throw new ValueProblem('expected a duration like 30m or 2h, or never');
  }
  if (ms < SHORTEST_MS) throw new ValueProblem('expected at least 5s (or never): waking takes a few seconds');
  return { ms };
}

/** As job meta carries it (nom_sleep_after), which parseSleepAfter reads back. */
export function sleepAfterText(s: SleepAfter): string {
  return s === 'never' ? 'never' : `${Math.round(s.ms / 1000)}s`;
}
