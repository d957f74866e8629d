import type { NomadJob } from '../jobspec/nomad-job.js';
import { keepRunOfSameCommit } from './job-origin.js';
import { readsSecrets, withSecretsSlot } from '../jobspec/templates.js';
import { readRecords } from '../router/hostname-records.js';
import { claimedHosts, foreignClaims } from './hostname-check.js';
import { storedSecrets } from './secret-slots.js';
import { readSecretsPlan } from './secrets-store.js';
import type { NomadClient } from '../nomad/client.js';
import { jobUrls } from '../operate/job-status.js';
import type { Secret } from '../secret.js';
import { placementFailures } from './placement-failure.js';
import { planSummary } from './plan-summary.js';

/** What a deploy would change, in words; nothing is written to get it. */
export interface DeployPreview {
  /** Whether the deploy would change anything: the job, its hostnames or its secrets. */
  readonly changed: boolean;
  readonly lines: readonly string[];
  /** Nomad's reasons it could not place the job (the deploy would stop at its plan). */
  readonly cannotPlace: readonly string[];
}

/**
 * `nom plan`: Nomad's plan of the job (a dry run of the scheduler) and nom's own view — the
 * hostnames it gains or loses and the secret names added, removed or changed (never a value).
 * Reads only: no lock, no secret written, no job registered.
 */
export async function previewDeploy(nomad: NomadClient, req: { job: NomadJob; secrets: ReadonlyMap<string, Secret>; registryPassword?: Secret | undefined }): Promise<DeployPreview> {
  const current = await nomad.jobs.read(req.job.ID, req.job.Namespace);
  const secrets = readsSecrets(req.job) ? await readSecretsPlan(nomad, req.job, current, storedSecrets(req.secrets, req.registryPassword)) : undefined;
  // The job as the deploy would submit it: reading the slot of secrets it would use, keeping the run that deployed its commit.
  const job = keepRunOfSameCommit(secrets ? withSecretsSlot(req.job, secrets.slot) : req.job, current);
  const plan = await nomad.jobs.plan(job);
  const records = await readRecords(nomad, claimedHosts(job));
  const refused = records ? foreignClaims(job, records) : [];
  const hosts = [...hostnameChanges(current ? routedUrls(current) : [], routedUrls(job)), ...refused.map((l) => `refused: ${l}`)];
  const secretLines = (secrets?.write ? secrets.changes : []).map((l) => `would ${l}`);
  const lines = [
    ...planSummary(plan).map((l) => `plan: ${l}`),
    ...hosts.map((l) => `hostnames: ${l}`),
    ...secretLines.map((l) => `secrets: ${l}`),
  ];
  return { changed: plan.Diff?.Type !== 'None' || hosts.length > 0 || secretLines.length > 0, lines, cannotPlace: placementFailures(plan.FailedTGAllocs) };
}

const routedUrls = (job: Pick<NomadJob, 'TaskGroups'>) => jobUrls(job).filter((u) => !u.canary).map((u) => u.url);

/** The URLs a job would gain and lose. Pure. */
export function hostnameChanges(before: readonly string[], after: readonly string[]): string[] {
  const gained = after.filter((u) => !before.includes(u));
  const lost = before.filter((u) => !after.includes(u));
  return [...(gained.length ? [`would route ${gained.join(', ')}`] : []), ...(lost.length ? [`would no longer route ${lost.join(', ')}`] : [])];
}
