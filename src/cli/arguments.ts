import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../settings/duration.js';

/** Option parsers the commands share; a bad value is a usage error naming what is expected. */

/** A Go duration (90s, 10m, 1h30m), in milliseconds. */
export function duration(text: string): number {
  try {
    return parseDuration(text) / 1e6;
  } catch {
    throw new InvalidArgumentError('expected a duration like 90s or 10m');
  }
}

/** An age: a duration, or whole days (30d), in milliseconds. */
export function age(text: string): number {
  const days = /^(\d+)d$/.exec(text);
  try {
    return days ? Number(days[1]) * 86_400_000 : parseDuration(text) / 1e6;
  } catch {
    throw new InvalidArgumentError('expected an age like 30d, 12h or 90m');
  }
}

/** A parser of whole numbers (0 or more) whose error says `expected`. */
export function wholeNumber(expected: string): (text: string) => number {
  return (text) => {
    if (!/^\d+$/.test(text)) throw new InvalidArgumentError(`expected ${expected}`);
    return Number(text);
  };
}

/** A repeatable option's values, in order. */
export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** `-n, --namespace`: the job's namespace, for the commands about one job. */
export const NAMESPACE_OPTION = ['-n, --namespace <namespace>', 'the job\'s namespace (default: NOMAD_NAMESPACE or "default")'] as const;
