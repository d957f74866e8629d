import type { NomadJob } from '../jobspec/nomad-job.js';
import type { NomadClient } from '../nomad/client.js';
import type { RegisteredJob } from '../nomad/jobs.js';
import { followRollout, type DeployResult } from './deploy.js';
import { DeployLock } from './deploy-lock.js';
import { defaultTimeoutMs } from './deployment-progress.js';
import type { DeployLog } from './log.js';

/**
 * Submits a change to a registered job (a revert, a resubmit) under the deploy lock, so it
 * never races a deploy, and follows the rollout like `nom deploy`: same waiting, same reports,
 * same errors.
 */
async function redeploy(nomad: NomadClient, job: RegisteredJob, log: DeployLog, timeoutMs: number | undefined, submit: () => Promise<string>): Promise<DeployResult> {
  const budget = timeoutMs ?? defaultTimeoutMs(job);
  const lock = new DeployLock(nomad.variables, job.Namespace, job.ID);
  await lock.acquire(log, budget);
  try {
    const evalId = await submit();
    // A periodic job is only registered: its runs start on schedule.
    if (!evalId) return { version: undefined, unchanged: false, instances: [] };
    return await followRollout(nomad, job, evalId, Date.now() + budget, log);
  } finally {
    await lock.release();
  }
}

/** Reverts `job` to `version` (Nomad registers a copy of it as a new version) and waits for it to serve. */
export function revert(nomad: NomadClient, job: RegisteredJob, version: number, log: DeployLog, timeoutMs?: number): Promise<DeployResult> {
  return redeploy(nomad, job, log, timeoutMs, async () => {
    log.info(`reverting ${job.ID} from version ${job.Version} to version ${version}`);
    // Only if nothing changed the job meanwhile.
    return (await nomad.jobs.revert(job.ID, job.Namespace, version, job.Version)).EvalID;
  });
}

/**
 * Registers `job`'s current spec again, running (a stopped, dead or stuck job comes back):
 * a `nom_resubmitted` mark makes it a new version, so Nomad places fresh allocations.
 */
export function resubmit(nomad: NomadClient, job: RegisteredJob, log: DeployLog, timeoutMs?: number): Promise<DeployResult> {
  const again: NomadJob & { Stop: boolean } = { ...job, Stop: false, Meta: { ...job.Meta, nom_resubmitted: new Date().toISOString() } };
  return redeploy(nomad, job, log, timeoutMs, async () => {
    log.info(`resubmitting ${job.ID} (version ${job.Version}${job.Stop ? ', stopped' : `, ${job.Status}`})`);
    return (await nomad.jobs.register(again, job.JobModifyIndex)).EvalID;
  });
}
