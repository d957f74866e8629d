import { scryptSync } from 'node:crypto';
import { REGISTRY_PASSWORD_KEY } from '../context/secrets.js';
import type { SecretsSlot } from '../jobspec/templates.js';
import type { Secret } from '../secret.js';

/**
 * What nom remembers of the secrets it wrote, so that a deploy with the same secrets writes
 * nothing and `nom plan` can say which names changed: the slot, and a salted scrypt digest per
 * name. Never a value: a CI token may write secrets but not read them back (only the job's own
 * tasks can), and the digests are costly to guess from. Kept in `nom/deploys/<job>/secrets`.
 */
export interface SecretsRecord {
  readonly slot: SecretsSlot;
  readonly salt: string;
  readonly digests: Readonly<Record<string, string>>;
}

const DIGEST = 'digest_';

export function recordFromItems(items: Readonly<Record<string, string>> | undefined): SecretsRecord | undefined {
  if (!items || (items.slot !== 'a' && items.slot !== 'b') || !/^[0-9a-f]{32}$/.test(items.salt ?? '')) return undefined;
  const digests = Object.fromEntries(Object.entries(items).filter(([k]) => k.startsWith(DIGEST)).map(([k, v]) => [k.slice(DIGEST.length), v]));
  return { slot: items.slot, salt: items.salt!, digests };
}

export function recordToItems(r: SecretsRecord): Record<string, string> {
  return { slot: r.slot, salt: r.salt, ...Object.fromEntries(Object.entries(r.digests).map(([k, v]) => [`${DIGEST}${k}`, v])) };
}

/** scrypt at the cost of an interactive login (N=2^14): a guess of a weak secret costs tens of milliseconds. */
export function digestOf(name: string, value: string, salt: string): string {
  return scryptSync(`${name}\0${value}`, salt, 32, { N: 16384, r: 8, p: 1 }).toString('hex');
}

/**
 * What a deploy stores: the pipeline's secrets and, when it pulls with a login, the registry
 * password (the docker driver reads it from the task's environment). `nom plan` and `nom deploy`
 * both compare this, so a plan agrees with the deploy it previews. Pure.
 */
export function storedSecrets(secrets: ReadonlyMap<string, Secret>, registryPassword: Secret | undefined): ReadonlyMap<string, Secret> {
  return registryPassword ? new Map([...secrets, [REGISTRY_PASSWORD_KEY, registryPassword]]) : secrets;
}

export interface SecretsPlan {
  /** The slot the deployed version reads. */
  readonly slot: SecretsSlot;
  /** Whether the deploy writes the slot (and the record); false when the running version already reads these secrets. */
  readonly write: boolean;
  readonly record: SecretsRecord;
  /** What changes, in names only, for the deploy's log and `nom plan`. */
  readonly changes: readonly string[];
}

/**
 * Which slot a deploy of `wanted` uses: the running version's when the record says it holds
 * exactly these secrets (then nothing is written), else the other one. `running` is the slot of
 * the job's current version, undefined when there is no job. `salt` is used when there is no
 * record yet. Pure.
 */
export function planSecrets(wanted: ReadonlyMap<string, Secret>, running: SecretsSlot | undefined, stored: SecretsRecord | undefined, salt: string): SecretsPlan {
  const known = running !== undefined && stored?.slot === running ? stored : undefined;
  const useSalt = stored?.salt ?? salt;
  const digests = Object.fromEntries([...wanted].map(([k, v]) => [k, digestOf(k, v.reveal(), useSalt)]));
  const shown = (k: string) => k !== REGISTRY_PASSWORD_KEY;
  const names = (list: string[]) => list.filter(shown).join(', ');
  let changes: string[];
  if (known) {
    const added = Object.keys(digests).filter((k) => !Object.hasOwn(known.digests, k));
    const removed = Object.keys(known.digests).filter((k) => !Object.hasOwn(digests, k));
    const changed = Object.keys(digests).filter((k) => Object.hasOwn(known.digests, k) && known.digests[k] !== digests[k]);
    if (!added.length && !removed.length && !changed.length) return { slot: known.slot, write: false, record: known, changes: [] };
    changes = [
      ...(names(added) ? [`add ${names(added)}`] : []),
      ...(names(removed) ? [`remove ${names(removed)}`] : []),
      ...(names(changed) ? [`change the value of ${names(changed)} (values are never shown)`] : []),
    ];
    // Only the registry password changed: still a new slot, and said so.
    if (!changes.length) changes = ['change the registry password'];
  } else {
    changes = [running === undefined ? `add ${names(Object.keys(digests)) || 'the registry password'}` : `write ${names(Object.keys(digests)) || 'the registry password'} (no record of the running version's secrets to compare with)`];
  }
  const slot: SecretsSlot = running === 'a' ? 'b' : 'a';
  return { slot, write: true, record: { slot, salt: useSalt, digests }, changes };
}

/** Whether two variables' items are the same keys with the same values. */
export function sameItems(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}
