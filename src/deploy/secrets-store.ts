import { randomBytes } from 'node:crypto';
import type { NomadJob } from '../jobspec/nomad-job.js';
import { secretsPath, secretsPaths, secretsSlotOf } from '../jobspec/templates.js';
import type { NomadClient } from '../nomad/client.js';
import type { Secret } from '../secret.js';
import { planSecrets, recordFromItems, recordToItems, sameItems, type SecretsPlan } from './secret-slots.js';

/** Where nom keeps what it knows of a job's deploys (its lock, its secrets' record), in the job's namespace. */
export const deployStatePath = (job: string, what: 'lock' | 'secrets') => `nom/deploys/${job}/${what}`;

export interface StoredSecretsPlan extends SecretsPlan {
  /** The variables to write: the slot's path of every task that reads secrets. */
  readonly paths: readonly string[];
  /** The record's index when read, for check-and-set. */
  readonly recordIndex: number;
}

/**
 * Reads what a deploy of `job` with `secrets` would write, writing nothing and reading no
 * secret: the running version's slot (from `current`, the registered job) and nom's record.
 */
export async function readSecretsPlan(nomad: NomadClient, job: NomadJob, current: { Meta?: Record<string, string> | null } | undefined, secrets: ReadonlyMap<string, Secret>): Promise<StoredSecretsPlan> {
  const record = await nomad.variables.read(deployStatePath(job.ID, 'secrets'), job.Namespace);
  const plan = planSecrets(secrets, current ? secretsSlotOf(current) : undefined, recordFromItems(record?.Items), randomBytes(16).toString('hex'));
  return { ...plan, paths: secretsPaths(job, plan.slot), recordIndex: record?.ModifyIndex ?? 0 };
}

/**
 * Writes the slot (whole, never read: the deploy lock keeps other deploys out), then the record
 * with check-and-set; a record that changed while the lock was held stops the deploy.
 */
export async function storeSecrets(nomad: NomadClient, namespace: string, job: string, plan: StoredSecretsPlan, secrets: ReadonlyMap<string, Secret>): Promise<void> {
  if (!plan.write) return;
  const items = Object.fromEntries([...secrets].map(([k, v]) => [k, v.reveal()]));
  for (const path of plan.paths) await nomad.variables.put(path, namespace, items);
  const items2 = recordToItems(plan.record);
  const written = await nomad.variables.write(deployStatePath(job, 'secrets'), namespace, items2, plan.recordIndex);
  if (written) return;
  // A retried write that did land conflicts with itself: then the record holds what we wrote.
  const now = await nomad.variables.read(deployStatePath(job, 'secrets'), namespace);
  if (!now || !sameItems(now.Items, items2)) throw new Error(`the Nomad Variable ${deployStatePath(job, 'secrets')} changed while this deploy held the lock: run the deploy again`);
}

/** Deletes a job's secrets (both slots) and nom's state of its deploys; the paths deleted. */
export async function deleteSecrets(nomad: NomadClient, job: string, namespace: string): Promise<string[]> {
  const own = (base: string) => (v: { Path: string }) => v.Path === base || v.Path.startsWith(`${base}/`);
  const [slots, state] = await Promise.all([
    nomad.variables.list(secretsPath(job), namespace),
    nomad.variables.list(`nom/deploys/${job}`, namespace),
  ]);
  const paths = [...slots.filter(own(secretsPath(job))), ...state.filter(own(`nom/deploys/${job}`))].map((v) => v.Path);
  for (const path of paths) await nomad.variables.delete(path, namespace);
  return paths;
}
