import { type AllocationRow, type ClusterState, type DeploymentRow, type JobRow, jobKey } from './cluster-state.js';

/** A route of the ingress as the router tells the console (GET /api/ingress). */
export interface IngressRoute {
  readonly host: string;
  readonly scheme: 'https' | 'http';
  readonly owner: string;
  readonly instances: number;
}

/** A job that may sleep, as the router tells the console. */
export interface SleepInfo {
  readonly job: string;
  readonly asleep: boolean;
  readonly lastRequest?: string | undefined;
  readonly sleepsAfter: string;
}

export type Health = 'healthy' | 'deploying' | 'failing' | 'stopped' | 'dead' | 'pending' | 'asleep';

/** One deployed environment of a project: a job. */
export interface Environment {
  readonly key: string;
  readonly namespace: string;
  readonly id: string;
  /** production, staging, main, review (a branch's review app), or the job's type when nom did not deploy it. */
  readonly kind: string;
  readonly branch: string | undefined;
  readonly commit: string | undefined;
  readonly version: number | undefined;
  /** Milliseconds since the epoch of the last registration. */
  readonly submitted: number;
  readonly health: Health;
  readonly healthy: number;
  readonly desired: number;
  readonly canaries: number;
  readonly deployment: { readonly status: string; readonly description: string } | undefined;
  /** Why the last deployment failed, or why an instance is failing, in Nomad's words. */
  readonly problem: string | undefined;
  readonly urls: readonly { readonly url: string; readonly instances: number }[];
  readonly stale: boolean;
  /** The CI run that deployed this commit, the commit's page, who started the run: where the CI gave them. */
  readonly runUrl: string | undefined;
  readonly commitUrl: string | undefined;
  readonly user: string | undefined;
  /** Milliseconds since the epoch of its last request through the ingress, where the router saw one. */
  readonly lastRequest: number | undefined;
}

export interface Project {
  readonly name: string;
  readonly environments: readonly Environment[];
}

const KIND_ORDER = ['production', 'staging', 'main', 'review'];

/**
 * The overview: jobs grouped by the project nom recorded when deploying them (jobs nom did not
 * deploy are grouped by namespace), each environment with its URLs, health, version and last
 * deployment; production first, then staging, main and the review apps by branch. Review apps
 * not deployed for `staleAfterMs` are marked stale. Pure.
 */
export function projectsOf(state: ClusterState, routes: readonly IngressRoute[], now: number, staleAfterMs: number, sleep: readonly SleepInfo[] = []): Project[] {
  const sleeping = new Map(sleep.map((s) => [s.job, s]));
  const byOwner = new Map<string, IngressRoute[]>();
  for (const r of routes) byOwner.set(r.owner, [...(byOwner.get(r.owner) ?? []), r]);
  const allocsByJob = new Map<string, AllocationRow[]>();
  for (const a of state.allocations.values()) {
    const key = jobKey(a.Namespace, a.JobID);
    allocsByJob.set(key, [...(allocsByJob.get(key) ?? []), a]);
  }
  const projects = new Map<string, Environment[]>();
  for (const [key, job] of state.jobs) {
    const env = environmentOf(job, state.deployments.get(key), allocsByJob.get(key) ?? [], byOwner.get(key) ?? [], now, staleAfterMs, sleeping.get(key));
    const name = job.Meta?.nom_project ?? `${job.Namespace} (not deployed by nom)`;
    projects.set(name, [...(projects.get(name) ?? []), env]);
  }
  return [...projects]
    .map(([name, environments]) => ({ name, environments: environments.sort(byKind) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function byKind(a: Environment, b: Environment): number {
  const rank = (e: Environment) => (KIND_ORDER.includes(e.kind) ? KIND_ORDER.indexOf(e.kind) : KIND_ORDER.length);
  return rank(a) - rank(b) || (a.branch ?? a.id).localeCompare(b.branch ?? b.id);
}

function environmentOf(job: JobRow, deployment: DeploymentRow | undefined, allocs: readonly AllocationRow[], routes: readonly IngressRoute[], now: number, staleAfterMs: number, sleep: SleepInfo | undefined): Environment {
  const meta = job.Meta ?? {};
  const version = job.Version ?? deployment?.JobVersion ?? (allocs.length ? Math.max(...allocs.map((a) => a.JobVersion)) : undefined);
  const current = allocs.filter((a) => a.DesiredStatus === 'run' && (version === undefined || a.JobVersion === version || a.ClientStatus === 'running'));
  const running = current.filter((a) => a.ClientStatus === 'running');
  const healthy = running.filter((a) => a.DeploymentStatus?.Healthy !== false).length;
  const groups = deployment && deployment.JobVersion === version ? Object.values(deployment.TaskGroups) : [];
  const desired = groups.length ? groups.reduce((n, g) => n + g.DesiredTotal, 0) : running.length;
  const canaries = groups.reduce((n, g) => n + (g.Promoted ? 0 : (g.PlacedCanaries?.length ?? 0)), 0);
  const submitted = job.SubmitTime / 1e6;
  const failedAlloc = current.find((a) => a.ClientStatus === 'failed' || Object.values(a.TaskStates ?? {}).some((t) => t.Failed));
  const deploying = deployment && ['running', 'pending', 'initializing', 'paused', 'blocked', 'unblocking'].includes(deployment.Status);
  const health: Health = job.Stop
    ? 'stopped'
    : sleep?.asleep && running.length === 0
      ? 'asleep'
      : job.Status === 'dead'
      ? 'dead'
      : deployment?.Status === 'failed' && deployment.JobVersion === version
        ? 'failing'
        : deploying
          ? 'deploying'
          : running.length === 0
            ? 'pending'
            : healthy < desired || failedAlloc
              ? 'failing'
              : 'healthy';
  const problem =
    deployment?.Status === 'failed' ? deployment.StatusDescription : failedAlloc ? `allocation ${failedAlloc.ID.slice(0, 8)} ${failedAlloc.ClientStatus === 'failed' ? 'failed' : 'has a failed task'}` : undefined;
  return {
    key: jobKey(job.Namespace, job.ID),
    namespace: job.Namespace,
    id: job.ID,
    kind: meta.nom_environment ?? job.Type,
    branch: meta.nom_branch,
    commit: meta.nom_commit,
    version,
    submitted,
    health,
    healthy,
    desired,
    canaries,
    deployment: deployment && { status: deployment.Status, description: deployment.StatusDescription },
    problem,
    urls: routes.map((r) => ({ url: `${r.scheme}://${r.host}`, instances: r.instances })).sort((a, b) => a.url.length - b.url.length || a.url.localeCompare(b.url)),
    stale: meta.nom_environment === 'review' && !job.Stop && now - submitted > staleAfterMs,
    runUrl: safeUrl(meta.nom_run_url),
    commitUrl: safeUrl(meta.nom_commit_url),
    user: meta.nom_user,
    lastRequest: sleep?.lastRequest ? Date.parse(sleep.lastRequest) : undefined,
  };
}

/** Only http(s) links: a job's meta is written by a pipeline, and a `javascript:` link would run in the console. */
export function safeUrl(url: string | undefined): string | undefined {
  return url && /^https?:\/\//i.test(url) ? url : undefined;
}
