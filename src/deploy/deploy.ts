import { readsSecrets, withSecretsSlot } from '../jobspec/templates.js';
import type { NomadJob } from '../jobspec/nomad-job.js';
import type { NomadClient } from '../nomad/client.js';
import type { Deployment } from '../nomad/deployments.js';
import type { Evaluation } from '../nomad/evaluations.js';
import { NomadError } from '../nomad/http.js';
import type { Secret } from '../secret.js';
import { DeployError } from './deploy-error.js';
import { DeployLock } from './deploy-lock.js';
import { defaultTimeoutMs, deploymentProgress, rollbackVersion } from './deployment-progress.js';
import { FailureEvidence } from './failure-evidence.js';
import type { ConsulClient } from '../consul/client.js';
import type { DeployLog } from './log.js';
import { placementFailures } from './placement-failure.js';
import { planSummary } from './plan-summary.js';
import { checkHostnames } from './hostname-check.js';
import { checkOrigin, keepRunOfSameCommit, originOf } from './job-origin.js';
import { storedSecrets } from './secret-slots.js';
import { readSecretsPlan, storeSecrets } from './secrets-store.js';

export interface DeployRequest {
  readonly job: NomadJob;
  readonly secrets: ReadonlyMap<string, Secret>;
  readonly registryPassword?: Secret | undefined;
  /** Overrides the job's own deadlines plus a margin. */
  readonly timeoutMs?: number | undefined;
  /** Who deploys (the CI job's URL), for a deploy that waits on the lock. */
  readonly run?: string | undefined;
  /** Consul (CONSUL_HTTP_ADDR), where the checks of Consul services are read for the failure reasons. */
  readonly consul?: ConsulClient | undefined;
}

export interface DeployResult {
  readonly version: number | undefined;
  readonly unchanged: boolean;
  /** http://host:port of the new version's healthy allocations. */
  readonly instances: readonly string[];
}

/**
 * Plan → secrets → register (with the plan's index) → evaluation → deployment, reported as it
 * goes; resolves when the new version serves, throws a DeployError with the reason otherwise.
 * One deploy of a job at a time, by a lock in a Nomad Variable.
 */
export async function deploy(nomad: NomadClient, req: DeployRequest, log: DeployLog): Promise<DeployResult> {
  let { job } = req;
  const ns = job.Namespace;
  const timeoutMs = req.timeoutMs ?? defaultTimeoutMs(job);
  const deadline = Date.now() + timeoutMs;

  const lock = new DeployLock(nomad.variables, ns, job.ID, req.run);
  await lock.acquire(log, timeoutMs);
  try {
    // Checked before anything is written: the secrets' slot is chosen, the job that reads it
    // planned; a plan that cannot be placed leaves the secrets and the running version alone.
    const secrets = storedSecrets(req.secrets, req.registryPassword);
    const current = await nomad.jobs.read(job.ID, ns);
    checkOrigin(job.ID, current, originOf(job), 'deploy');
    job = keepRunOfSameCommit(job, current);
    await checkHostnames(nomad, job, (line) => log.warn(line));
    const secretsPlan = readsSecrets(job) ? await readSecretsPlan(nomad, job, current, secrets) : undefined;
    if (secretsPlan) job = withSecretsSlot(job, secretsPlan.slot);

    const plan = await nomad.jobs.plan(job);
    for (const line of planSummary(plan)) log.info(`plan: ${line}`);
    const cannot = placementFailures(plan.FailedTGAllocs);
    if (cannot.length) throw new DeployError('placement', [...cannot, 'nothing was submitted and no secret was changed']);
    if (plan.Diff?.Type === 'None') {
      return { version: current?.Version, unchanged: true, instances: await instances(nomad, job, current?.Version) };
    }

    if (secretsPlan?.write) {
      await storeSecrets(nomad, ns, job.ID, secretsPlan, secrets);
      log.info(`secrets: ${secretsPlan.changes.join('; ')}: written to slot ${secretsPlan.slot} (Nomad Variable ${secretsPlan.paths.join(', ')}); the running version keeps its own`);
    }
    let evalId: string;
    const retried = { count: 0 };
    try {
      evalId = (await nomad.jobs.register(job, plan.JobModifyIndex, (e, delay) => {
        retried.count++;
        log.warn(`Nomad answered ${e.status ?? e.code} (${e.body.trim() || 'no answer'}) to the registration: trying again in ${(delay / 1000).toFixed(1)}s`);
      })).EvalID;
    } catch (e) {
      if (e instanceof NomadError && e.status === 400 && /modify index/i.test(e.body)) {
        // A retry after a registration that did land finds the job moved on: by this very job.
        const ours = retried.count > 0 && (await nomad.jobs.plan(job)).Diff?.Type === 'None';
        if (!ours) throw new DeployError('conflict', [`job ${job.ID} changed between plan and submit (another deploy?): ${e.body.trim()}`, 'run the deploy again']);
        evalId = (await nomad.jobs.evaluations(job.ID, ns))[0]?.ID ?? '';
      } else throw e;
    }
    // A periodic job is only registered: its runs start on schedule, with no evaluation now.
    if (job.Periodic || !evalId) {
      log.info('periodic job registered: it runs on its schedule');
      return { version: undefined, unchanged: false, instances: [] };
    }
    return await followRollout(nomad, job, evalId, deadline, log, req.consul);
  } finally {
    await lock.release();
  }
}

/**
 * After a job was registered (a deploy, a revert, a resubmit): follows its evaluation and the
 * deployment (or a batch run) to the end, reported as it goes; resolves when the version serves,
 * throws a DeployError with the reason otherwise.
 */
export async function followRollout(nomad: NomadClient, job: NomadJob, evalId: string, deadline: number, log: DeployLog, consul?: ConsulClient): Promise<DeployResult> {
  const ns = job.Namespace;
  const evaluation = await followEvaluation(nomad, evalId, ns, deadline);
  const failed = placementFailures(evaluation.FailedTGAllocs);
  if (failed.length) throw new DeployError('placement', [...failed, `the job is registered and waits for capacity (blocked evaluation ${evaluation.BlockedEval.slice(0, 8)}); \`nom stop ${job.ID}\` removes it`]);

  if (job.Type === 'batch') return await followBatch(nomad, job, deadline, log);

  const deploymentId = evaluation.DeploymentID || (await nomad.jobs.latestDeployment(job.ID, ns))?.ID;
  if (!deploymentId) throw new Error(`Nomad started no deployment for ${job.ID} (evaluation ${evalId.slice(0, 8)} is ${evaluation.Status})`);
  const evidence = new FailureEvidence(nomad, ns, job, consul);
  const d = await followDeployment(nomad, deploymentId, ns, deadline, log, evidence);
  if (d.Status === 'successful') {
    return { version: d.JobVersion, unchanged: false, instances: await instances(nomad, job, d.JobVersion) };
  }
  const rollback = rollbackVersion(d);
  throw new DeployError('failed', [
    `deployment of version ${d.JobVersion} ${d.Status}: ${d.StatusDescription}`,
    ...(await evidence.explain(d)),
    rollback !== undefined ? `Nomad rolled back to version ${rollback}` : 'Nomad did not roll back',
  ]);
}

async function followEvaluation(nomad: NomadClient, id: string, ns: string, deadline: number): Promise<Evaluation> {
  let index = 0;
  for (;;) {
    if (Date.now() > deadline) throw new DeployError('timeout', [`evaluation ${id.slice(0, 8)} did not complete in time`]);
    const { value, index: next } = await nomad.evaluations.read(id, ns, index, 5);
    if (value.Status !== 'pending') return value;
    index = next;
  }
}

async function followDeployment(nomad: NomadClient, id: string, ns: string, deadline: number, log: DeployLog, evidence: FailureEvidence): Promise<Deployment> {
  let index = 0;
  let last = '';
  for (;;) {
    const { value: d, index: next } = await nomad.deployments.read(id, ns, index, 3);
    const progress = deploymentProgress(d).join('; ');
    if (progress !== last) log.progress(progress);
    last = progress;
    if (['successful', 'failed', 'cancelled'].includes(d.Status)) return d;
    await evidence.collect(d);
    if (Date.now() > deadline) {
      throw new DeployError('timeout', [`deployment ${id.slice(0, 8)} still ${d.Status} at the timeout: ${progress}`, ...(await evidence.explain(d))]);
    }
    index = next;
  }
}

/** A batch job: waits until every allocation of the run has completed, or one failed. */
async function followBatch(nomad: NomadClient, job: NomadJob, deadline: number, log: DeployLog): Promise<DeployResult> {
  const evidence = new FailureEvidence(nomad, job.Namespace);
  for (;;) {
    const { Summary } = await nomad.jobs.summary(job.ID, job.Namespace);
    const groups = Object.values(Summary);
    log.progress(Object.entries(Summary).map(([g, s]) => `group ${g}: ${s.Running} running, ${s.Complete} complete, ${s.Failed} failed`).join('; '));
    if (groups.some((s) => s.Failed > 0)) {
      const failed = (await nomad.jobs.allocations(job.ID, { namespace: job.Namespace })).filter((a) => a.ClientStatus === 'failed');
      throw new DeployError('failed', [`batch job ${job.ID} failed`, ...(await evidence.explainAllocations(failed.map((a) => a.ID)))]);
    }
    if (groups.every((s) => s.Complete > 0 && s.Running === 0 && s.Starting === 0 && s.Queued === 0)) {
      return { version: undefined, unchanged: false, instances: [] };
    }
    if (Date.now() > deadline) throw new DeployError('timeout', [`batch job ${job.ID} did not finish in time`]);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** http://host:port of the running allocations of a version (the http port). */
async function instances(nomad: NomadClient, job: NomadJob, version: number | undefined): Promise<string[]> {
  const out: string[] = [];
  for (const stub of await nomad.jobs.allocations(job.ID, { namespace: job.Namespace })) {
    if (stub.ClientStatus !== 'running' || (version !== undefined && stub.JobVersion !== version)) continue;
    const alloc = await nomad.allocations.read(stub.ID, { namespace: job.Namespace });
    const port = alloc.AllocatedResources?.Shared?.Ports?.find((p) => p.Label === 'http');
    if (port) out.push(`http://${port.HostIP}:${port.Value}`);
  }
  return out;
}
