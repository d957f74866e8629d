import type { CheckResult } from '../nomad/allocations.js';
import type { NomadClient } from '../nomad/client.js';
import type { Deployment } from '../nomad/deployments.js';
import type { ConsulClient } from '../consul/client.js';
import type { NomadJob } from '../jobspec/nomad-job.js';
import { consulServiceNames } from '../jobspec/services.js';
import { consulChecks } from '../router/consul-services.js';

const STDERR_LINES = 20;
/** Distinct outputs kept per failing check. */
const MAX_OUTPUTS = 3;

/**
 * Why allocations are unhealthy, in lines people can act on: the task events, the last output
 * of each failing check, and the end of stderr. Check results exist only while an allocation
 * runs, so they are collected during the deployment, before Nomad stops a failed canary.
 */
export class FailureEvidence {
  /** allocation → service/check → the check and the distinct outputs it failed with, oldest first. */
  private readonly failingChecks = new Map<string, Map<string, { check: CheckResult; outputs: string[] }>>();
  private lastCollect = 0;
  /** The job's services that register in Consul: their checks are read there. */
  private readonly consulServices: string[];

  constructor(
    private readonly nomad: NomadClient,
    private readonly namespace: string,
    job?: Pick<NomadJob, 'TaskGroups'>,
    private readonly consul?: ConsulClient,
  ) {
    this.consulServices = job ? consulServiceNames(job) : [];
  }

  /** Notes failing checks of the deployment's allocations that are not healthy yet (every 2s at most). */
  async collect(d: Deployment): Promise<void> {
    if (Date.now() - this.lastCollect < 2000) return;
    this.lastCollect = Date.now();
    const allocs = await this.nomad.deployments.allocations(d.ID, this.namespace).catch(() => []);
    const inConsul = this.consul && this.consulServices.length ? await consulChecks(this.consul, this.consulServices).catch(() => undefined) : undefined;
    for (const a of allocs) {
      if (a.DeploymentStatus?.Healthy || a.ClientStatus !== 'running') continue;
      const checks = await this.nomad.allocations.checks(a.ID, this.namespace).catch(() => ({}));
      for (const c of [...Object.values(checks), ...(inConsul?.get(a.ID) ?? [])]) {
        if (c.Status !== 'failure') continue;
        const byCheck = this.failingChecks.get(a.ID) ?? new Map<string, { check: CheckResult; outputs: string[] }>();
        // Every distinct thing it said: the first failure (a 404) is often the cause, later ones
        // (connection refused while the task restarts) its consequence. A check registered again
        // has no output until it runs.
        const seen = byCheck.get(`${c.Service}/${c.Check}`) ?? { check: c, outputs: [] };
        const output = oneLine(c.Output);
        if (c.Output.trim() && !seen.outputs.includes(output) && seen.outputs.length < MAX_OUTPUTS) seen.outputs.push(output);
        byCheck.set(`${c.Service}/${c.Check}`, seen);
        this.failingChecks.set(a.ID, byCheck);
      }
    }
  }

  /** The evidence for the deployment's unhealthy (or not yet healthy) allocations. */
  async explain(d: Deployment): Promise<string[]> {
    // What the checks say by now too: a check that runs seldom (Consul's, every 10s) may have
    // said it only since the last look.
    this.lastCollect = 0;
    await this.collect(d);
    const allocs = await this.nomad.deployments.allocations(d.ID, this.namespace).catch(() => []);
    const bad = allocs.filter((a) => a.DeploymentStatus?.Healthy === false || a.ClientStatus === 'failed');
    const chosen = bad.length ? bad : allocs.filter((a) => !a.DeploymentStatus?.Healthy);
    const lines = await this.explainAllocations(chosen.map((a) => a.ID));
    if (this.consulServices.length && !this.consul) {
      lines.push(`  the checks of ${this.consulServices.join(', ')} run in Consul: set CONSUL_HTTP_ADDR and CONSUL_HTTP_TOKEN (a token that may read the service) to see their output here`);
    }
    return lines;
  }

  async explainAllocations(ids: readonly string[]): Promise<string[]> {
    const lines: string[] = [];
    for (const id of ids.slice(0, 2)) {
      const alloc = await this.nomad.allocations.read(id, { namespace: this.namespace }).catch(() => undefined);
      if (!alloc) continue;
      const health = alloc.DeploymentStatus?.Healthy === false ? 'unhealthy' : alloc.ClientStatus;
      lines.push(`allocation ${id.slice(0, 8)} (${alloc.Name}) is ${health}:`);
      for (const { check: c, outputs } of this.failingChecks.get(id)?.values() ?? []) {
        lines.push(`  check "${c.Check}" of service ${c.Service} failing: ${outputs.length ? outputs.join(' — then: ') : '(no output)'}`);
      }
      for (const [task, state] of Object.entries(alloc.TaskStates ?? {})) {
        for (const e of (state.Events ?? []).slice(-6)) lines.push(`  task ${task}: ${e.Type}${e.DisplayMessage ? `: ${e.DisplayMessage}` : ''}`);
        const stderr = await this.nomad.allocations.logsTail(id, task, 'stderr', this.namespace).catch(() => '');
        const tail = stderr.trimEnd().split('\n').filter(Boolean).slice(-STDERR_LINES);
        if (tail.length) lines.push(`  task ${task} stderr (last ${tail.length} lines):`, ...tail.map((l) => `    ${l}`));
      }
    }
    return lines;
  }
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat || '(no output)';
}
