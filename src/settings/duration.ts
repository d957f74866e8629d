import { ValueProblem } from '../errors.js';

/** Nanoseconds, the unit of every duration in Nomad's job JSON. */
export type Nanoseconds = number & { readonly __unit: 'ns' };

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Parses a duration the way Go's time.ParseDuration (and so Nomad) does: "2s", "1m30s", "500ms". */
export function parseDuration(text: string): Nanoseconds {
  const whole = /^(?:[0-9]+(?:\.[0-9]+)?(?:ns|us|µs|ms|s|m|h))+$/;
  if (!whole.test(text)) {
    throw new ValueProblem('expected a duration with a unit, like 2s, 1m or 1h30m');
  }
  let total = 0;
  for (const m of text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(m[1]) * (UNIT_NS[m[2]!] ?? 0);
  }
  return Math.round(total) as Nanoseconds;
}

export function seconds(n: number): Nanoseconds {
  return (n * 1e9) as Nanoseconds;
}

export function minutes(n: number): Nanoseconds {
  return (n * 60e9) as Nanoseconds;
}
