import type { Secret } from '../secret.js';

/**
 * Secrets are versioned with the job. The job's Nomad Variable holds generations of secrets as
 * items `v<N>_<NAME>`; a job version's template reads only its own generation (named in the job,
 * and in its meta as `nom_secrets`). So a failed deploy changes no secret a running allocation
 * reads, and a rollback, by hand or Nomad's automatic revert, runs the old version with the
 * secrets it was deployed with. Pure.
 */
export type Generation = `v${number}`;

/** Items of the variable, by generation; keys of older nom releases (no prefix) under `legacy`. */
export function generationsOf(items: Readonly<Record<string, string>>): { byGeneration: Map<Generation, Record<string, string>>; legacy: Record<string, string> } {
  const byGeneration = new Map<Generation, Record<string, string>>();
  const legacy: Record<string, string> = {};
  for (const [key, value] of Object.entries(items)) {
    const m = /^v(\d+)_(.+)$/.exec(key);
    if (!m) {
      legacy[key] = value;
      continue;
    }
    const generation = `v${Number(m[1])}` as Generation;
    byGeneration.set(generation, { ...byGeneration.get(generation), [m[2]!]: value });
  }
  return { byGeneration, legacy };
}

export interface SecretsPlan {
  /** The generation the deployed version reads. */
  readonly generation: Generation;
  /** The items to write first (check-and-set at `modifyIndex`), or undefined when nothing changes. */
  readonly write: Record<string, string> | undefined;
}

/**
 * Which generation a deploy of `wanted` uses: the one the running version reads when it holds
 * exactly these secrets (then nothing is written), another kept one that does, or a new one.
 * A new generation is written beside the ones that the job's kept versions still read
 * (`inUse`; `legacyInUse` for versions of older nom releases); the others are dropped.
 */
export function planSecrets(
  stored: Readonly<Record<string, string>>,
  wanted: ReadonlyMap<string, Secret>,
  o: { running: Generation | undefined; inUse: ReadonlySet<Generation>; legacyInUse: boolean },
): SecretsPlan {
  const { byGeneration, legacy } = generationsOf(stored);
  const desired = Object.fromEntries([...wanted].map(([k, v]) => [k, v.reveal()]));
  const holdsWanted = (g: Generation) => sameItems(byGeneration.get(g) ?? {}, desired) && (byGeneration.has(g) || wanted.size === 0);
  if (o.running && holdsWanted(o.running)) return { generation: o.running, write: undefined };
  const reusable = [...o.inUse].find(holdsWanted);
  if (reusable) return { generation: reusable, write: undefined };

  const numbers = [...byGeneration.keys(), ...o.inUse].map((g) => Number(g.slice(1)));
  const generation = `v${Math.max(0, ...numbers) + 1}` as Generation;
  const kept: Record<string, string> = o.legacyInUse ? { ...legacy } : {};
  for (const [g, secrets] of byGeneration) if (o.inUse.has(g)) for (const [k, v] of Object.entries(secrets)) kept[`${g}_${k}`] = v;
  for (const [k, v] of Object.entries(desired)) kept[`${generation}_${k}`] = v;
  return { generation, write: kept };
}

/** The secret names (never values) that a generation holds, for `nom plan`. */
export function namesIn(stored: Readonly<Record<string, string>>, generation: Generation | undefined): Record<string, string> {
  const { byGeneration, legacy } = generationsOf(stored);
  return generation ? (byGeneration.get(generation) ?? {}) : legacy;
}

/** Whether two variables' items are the same keys with the same values. */
export function sameItems(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}
