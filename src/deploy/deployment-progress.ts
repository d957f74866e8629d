import type { Deployment } from '../nomad/deployments.js';

/** How far a deployment is, one line per group: "canary 1/1 placed, 0 healthy", "healthy 2/3". Pure. */
export function deploymentProgress(d: Deployment): string[] {
  return Object.entries(d.TaskGroups ?? {}).map(([group, g]) => {
    const parts: string[] = [];
    if (g.DesiredCanaries > 0 && !g.Promoted) {
      const placed = g.PlacedCanaries?.length ?? 0;
      parts.push(`canary ${placed}/${g.DesiredCanaries} placed, ${g.HealthyAllocs} healthy`);
    } else {
      if (g.DesiredCanaries > 0) parts.push('promoted');
      parts.push(`healthy ${g.HealthyAllocs}/${g.DesiredTotal}`);
      const starting = g.PlacedAllocs - g.HealthyAllocs - g.UnhealthyAllocs;
      if (starting > 0) parts.push(`${starting} starting`);
    }
    if (g.UnhealthyAllocs) parts.push(`${g.UnhealthyAllocs} unhealthy`);
    return `group ${group}: ${parts.join(', ')}`;
  });
}

/** "rolling back to job version 3" in Nomad's description of a failed deployment → 3. */
export function rollbackVersion(d: Deployment): number | undefined {
  const m = /rolling back to job version (\d+)/i.exec(d.StatusDescription);
  return m ? Number(m[1]) : undefined;
}

/**
 * The longest a deploy of this job can take by its own deadlines: each allocation in turn
 * (canaries first) may use its healthy deadline, plus a margin for pulls and scheduling.
 */
export function defaultTimeoutMs(job: { TaskGroups: { Count: number; Update?: { HealthyDeadline: number; Canary: number; MaxParallel: number } }[] }): number {
  const NS_PER_MS = 1e6;
  let longest = 0;
  for (const g of job.TaskGroups) {
    if (!g.Update) continue;
    const rounds = Math.ceil(g.Count / Math.max(1, g.Update.MaxParallel)) + (g.Update.Canary > 0 ? 1 : 0);
    longest = Math.max(longest, rounds * (g.Update.HealthyDeadline / NS_PER_MS + 30_000));
  }
  return (longest || 10 * 60_000) + 2 * 60_000;
}
