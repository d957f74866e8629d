import type { CheckResult } from '../nomad/allocations.js';
import type { NomadClient } from '../nomad/client.js';
import type { Deployment } from '../nomad/deployments.js';

const STDERR_LINES = 20;

/**
 * Why allocations are unhealthy, in lines people can act on: the task events, the last output
 * of each failing check, and the end of stderr. Check results exist only while an allocation
 * runs, so they are collected during the deployment, before Nomad stops a failed canary.
 */
export class FailureEvidence {
  private readonly failingChecks = new Map<string, Map<string, CheckResult>>();
  private lastCollect = 0;

  constructor(
    private readonly nomad: NomadClient,
    private readonly namespace: string,
  ) {}

  /** Notes failing checks of the deployment's allocations that are not healthy yet (every 2s at most). */
  async collect(d: Deployment): Promise<void> {
    if (Date.now() - this.lastCollect < 2000) return;
    this.lastCollect = Date.now();
    const allocs = await this.nomad.deployments.allocations(d.ID, this.namespace).catch(() => []);
    for (const a of allocs) {
      if (a.DeploymentStatus?.Healthy || a.ClientStatus !== 'running') continue;
      const checks = await this.nomad.allocations.checks(a.ID, this.namespace).catch(() => ({}));
      for (const c of Object.values(checks)) {
        if (c.Status !== 'failure') continue;
        const byCheck = this.failingChecks.get(a.ID) ?? new Map<string, CheckResult>();
        byCheck.set(`${c.Service}/${c.Check}`, c);
        this.failingChecks.set(a.ID, byCheck);
      }
    }
  }

  /** The evidence for the deployment's unhealthy (or not yet healthy) allocations. */
  async explain(d: Deployment): Promise<string[]> {
    const allocs = await this.nomad.deployments.allocations(d.ID, this.namespace).catch(() => []);
    const bad = allocs.filter((a) => a.DeploymentStatus?.Healthy === false || a.ClientStatus === 'failed');
    const chosen = bad.length ? bad : allocs.filter((a) => !a.DeploymentStatus?.Healthy);
    return this.explainAllocations(chosen.map((a) => a.ID));
  }

  async explainAllocations(ids: readonly string[]): Promise<string[]> {
    const lines: string[] = [];
    for (const id of ids.slice(0, 2)) {
      const alloc = await this.nomad.allocations.read(id, { namespace: this.namespace }).catch(() => undefined);
      if (!alloc) continue;
      const health = alloc.DeploymentStatus?.Healthy === false ? 'unhealthy' : alloc.ClientStatus;
      lines.push(`allocation ${id.slice(0, 8)} (${alloc.Name}) is ${health}:`);
      for (const c of this.failingChecks.get(id)?.values() ?? []) {
        lines.push(`  check "${c.Check}" of service ${c.Service} failing: ${oneLine(c.Output)}`);
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
