import { servicesOf } from '../jobspec/services.js';
import type { CheckResult } from '../nomad/allocations.js';
import { allocationHealth, type Health } from '../router/cluster-view.js';
import type { Deployment } from '../nomad/deployments.js';
import type { AllocationListStub, JobScaleStatus, RegisteredJob } from '../nomad/jobs.js';
import { wakeCounts } from '../router/sleep-policy.js';
import { ago, type Paint, plainPaint, table } from './terminal-text.js';

/** `nom status` as data (what `--json` prints). */
export interface JobStatus {
  readonly job: {
    readonly id: string;
    readonly namespace: string;
    readonly type: string;
    readonly status: string;
    readonly stopped: boolean;
    readonly version: number;
    readonly stable: boolean;
    readonly submitted: string;
    /** What nom deploy recorded: project, branch, commit, environment. */
    readonly deployedFrom: Readonly<Record<string, string>>;
  };
  readonly deployment?: {
    readonly id: string;
    readonly version: number;
    readonly status: string;
    readonly description: string;
    readonly groups: readonly { readonly name: string; readonly healthy: number; readonly desired: number; readonly canaries: number; readonly promoted: boolean }[];
  };
  readonly urls: readonly { readonly url: string; readonly canary: boolean }[];
  readonly allocations: readonly AllocationStatus[];
  /** Allocations left out: stopped ones of earlier versions (`--all` shows them). */
  readonly hidden: number;
  /** Put to sleep (by the router when idle, or by hand): since when, why, and the counts a request wakes it to. */
  readonly asleep?: { readonly since: string; readonly why: string; readonly wakesTo: Readonly<Record<string, number>> };
}

export interface AllocationStatus {
  readonly id: string;
  readonly name: string;
  readonly node: string;
  readonly version: number;
  readonly status: string;
  readonly health: Health;
  readonly canary: boolean;
  readonly created: string;
  readonly restarts: number;
}

/** Every routed URL a job declares: its services' https:// and http:// tags, canary tags marked. */
export function jobUrls(job: Pick<RegisteredJob, 'TaskGroups'>): { url: string; canary: boolean }[] {
  const seen = new Map<string, boolean>();
  for (const s of servicesOf(job)) {
    for (const tag of s.Tags ?? []) if (/^https?:\/\//.test(tag) && !seen.has(tag)) seen.set(tag, false);
    for (const tag of s.CanaryTags ?? []) if (/^https?:\/\//.test(tag) && !seen.has(tag)) seen.set(tag, true);
  }
  return [...seen].map(([url, canary]) => ({ url, canary }));
}

/** The status of a job from what Nomad says of it. Pure. */
export function jobStatus(input: {
  job: RegisteredJob;
  deployment: Deployment | null | undefined;
  allocations: readonly AllocationListStub[];
  checks: ReadonlyMap<string, readonly CheckResult[]>;
  all?: boolean;
  scale?: JobScaleStatus;
}): JobStatus {
  const { job, deployment } = input;
  const meta = job.Meta ?? {};
  const deployedFrom = Object.fromEntries(
    Object.entries(meta)
      .filter(([k]) => k.startsWith('nom_') && k !== 'nom_render_id')
      .map(([k, v]) => [k.slice(4), v]),
  );
  // Current allocations, and stopped ones of the current version (they explain a failure).
  const shown = input.all ? input.allocations : input.allocations.filter((a) => a.DesiredStatus === 'run' || a.JobVersion === job.Version);
  const allocations = [...shown]
    .sort((a, b) => b.CreateTime - a.CreateTime)
    .map((a) => ({
      id: a.ID,
      name: a.Name.startsWith(`${job.ID}.`) ? a.Name.slice(job.ID.length + 1) : a.Name,
      node: a.NodeName ?? a.NodeID.slice(0, 8),
      version: a.JobVersion,
      status: a.ClientStatus,
      health: allocationHealth(a, input.checks.get(a.ID)),
      canary: Boolean(a.DeploymentStatus?.Canary),
      created: new Date(a.CreateTime / 1e6).toISOString(),
      restarts: Object.values(a.TaskStates ?? {}).reduce((n, t) => n + (t.Restarts ?? 0), 0),
    }));
  return {
    job: {
      id: job.ID,
      namespace: job.Namespace,
      type: job.Type,
      status: job.Status,
      stopped: job.Stop,
      version: job.Version,
      stable: job.Stable,
      submitted: new Date(job.SubmitTime / 1e6).toISOString(),
      deployedFrom,
    },
    ...(deployment
      ? {
          deployment: {
            id: deployment.ID,
            version: deployment.JobVersion,
            status: deployment.Status,
            description: deployment.StatusDescription,
            groups: Object.entries(deployment.TaskGroups).map(([name, g]) => ({
              name, healthy: g.HealthyAllocs, desired: g.DesiredTotal, canaries: g.DesiredCanaries, promoted: g.Promoted,
            })),
          },
        }
      : {}),
    urls: jobUrls(job),
    allocations,
    hidden: input.allocations.length - shown.length,
    ...asleep(input.scale),
  };
}

function asleep(scale: JobScaleStatus | undefined): Pick<JobStatus, 'asleep'> {
  const counts = scale && wakeCounts(scale);
  if (!scale || !counts) return {};
  const last = Object.values(scale.TaskGroups).flatMap((g) => g.Events ?? []).sort((a, b) => b.Time - a.Time)[0]!;
  return { asleep: { since: new Date(last.Time / 1e6).toISOString(), why: last.Message.replace(/^nom: /, ''), wakesTo: Object.fromEntries(counts) } };
}

const tone = (value: string): 'green' | 'yellow' | 'red' | undefined =>
  ['running', 'healthy', 'successful'].includes(value) ? 'green'
  : ['pending', 'starting', 'paused', 'blocked', 'initializing', 'unblocking'].includes(value) ? 'yellow'
  : ['failed', 'lost', 'failing', 'unhealthy', 'dead', 'cancelled'].includes(value) ? 'red'
  : undefined;

/** `nom status` for people: a few lines about the job, then a table of its allocations. */
export function statusLines(s: JobStatus, o: { now: number; paint?: Paint }): string[] {
  const paint = o.paint ?? plainPaint;
  const p = (value: string) => paint(value, tone(value));
  const { job } = s;
  const state = job.stopped ? paint('stopped', 'red') : s.asleep ? paint('asleep', 'dim') : p(job.status);
  const lines = [`${paint(job.id, 'bold')} · ${job.type} · ${state} · version ${job.version}${job.stable ? ' (stable)' : ''} · namespace ${job.namespace}`];
  const from = job.deployedFrom;
  const origin = from.environment === 'review' ? 'review app' : from.environment ? `${from.environment} deploy` : undefined;
  const facts = [origin && from.branch ? `${origin} of branch ${from.branch}` : origin, from.commit && `commit ${from.commit.slice(0, 12)}`].filter(Boolean);
  lines.push(`submitted ${ago(o.now - Date.parse(job.submitted))} ago (${job.submitted.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')})${facts.length ? ` · ${facts.join(' · ')}` : ''}`);
  if (s.deployment) {
    const d = s.deployment;
    const groups = d.groups.map((g) => `${g.name}: ${g.healthy}/${g.desired} healthy${g.canaries ? `, ${g.canaries} canary${g.promoted ? ' promoted' : ''}` : ''}`);
    lines.push(`deployment of version ${d.version}: ${p(d.status)}${d.description ? ` (${d.description})` : ''}${groups.length ? ` · ${groups.join('; ')}` : ''}`);
  }
  if (s.asleep) lines.push(`asleep since ${ago(o.now - Date.parse(s.asleep.since))} ago (${s.asleep.why}): the next request wakes it, or nom wake ${job.id}`);
  for (const u of s.urls) lines.push(`${u.url}${u.canary ? ' (canary: reaches the canaries during a deployment)' : ''}`);
  lines.push('');
  if (!s.allocations.length) lines.push('no allocations');
  else {
    const rows = s.allocations.map((a) => [a.id.slice(0, 8), `${a.name}${a.canary ? ' (canary)' : ''}`, String(a.version), a.node, a.status, a.health, ago(o.now - Date.parse(a.created)), String(a.restarts)]);
    lines.push(...table(['ALLOCATION', 'NAME', 'VERSION', 'NODE', 'STATUS', 'HEALTH', 'AGE', 'RESTARTS'], rows, (col, value) => (col === 4 || col === 5 ? p(value) : value)));
  }
  if (s.hidden) lines.push(`(${s.hidden} stopped allocation${s.hidden === 1 ? '' : 's'} of earlier versions not shown: --all)`);
  return lines;
}
