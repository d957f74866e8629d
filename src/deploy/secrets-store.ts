import type { NomadJob } from '../jobspec/nomad-job.js';
import { secretsGenerationOf, secretsPath } from '../jobspec/templates.js';
import type { NomadClient } from '../nomad/client.js';
import type { Secret } from '../secret.js';
import { planSecrets, sameItems, type Generation, type SecretsPlan } from './secret-generations.js';

export interface StoredSecretsPlan extends SecretsPlan {
  readonly path: string;
  /** The variable's index when read, for check-and-set. */
  readonly modifyIndex: number;
  /** The variable's items when read (values; never printed), for `nom plan`'s comparison. */
  readonly stored: Readonly<Record<string, string>>;
}

/**
 * Reads what a deploy of `job` with `secrets` would store, writing nothing: the job's variable,
 * the generation its running version reads, and those its kept versions read.
 */
export async function readSecretsPlan(nomad: NomadClient, job: NomadJob, secrets: ReadonlyMap<string, Secret>): Promise<StoredSecretsPlan> {
  const path = secretsPath(job.ID);
  const [variable, versions] = await Promise.all([nomad.variables.read(path, job.Namespace), nomad.jobs.versions(job.ID, job.Namespace).catch(() => [])]);
  const generations = versions.map((v) => secretsGenerationOf(v) as Generation | undefined);
  const plan = planSecrets(variable?.Items ?? {}, secrets, {
    running: generations[0],
    inUse: new Set(generations.filter((g): g is Generation => g !== undefined)),
    legacyInUse: versions.some((v) => secretsGenerationOf(v) === undefined),
  });
  return { ...plan, path, modifyIndex: variable?.ModifyIndex ?? 0, stored: variable?.Items ?? {} };
}

/**
 * Writes the plan's items with check-and-set; the deploy lock keeps other deploys out, so a
 * conflict means something else wrote the variable: the deploy stops rather than overwrite it.
 */
export async function storeSecrets(nomad: NomadClient, namespace: string, plan: StoredSecretsPlan): Promise<void> {
  if (!plan.write) return;
  const written = await nomad.variables.write(plan.path, namespace, plan.write, plan.modifyIndex);
  if (written) return;
  // A retried write that did land conflicts with itself: then the variable holds what we wrote.
  const now = await nomad.variables.read(plan.path, namespace);
  if (!now || !sameItems(now.Items, plan.write)) throw new Error(`the Nomad Variable ${plan.path} changed while this deploy held the lock: run the deploy again`);
}
