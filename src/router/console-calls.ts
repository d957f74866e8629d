/**
 * The calls to Nomad's HTTP API that the console's page makes, and the only ones Caddy passes
 * through at the console's hostname: whatever token a visitor holds, the console is no door to
 * the rest of the API (ACL bootstrap, operator, agent, variables — where secret values live).
 * Nomad's ACLs still decide each call. Pure.
 */
export interface NomadCall {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** An anchored regular expression over the path (no query), as Caddy's path_regexp matches it. */
  readonly path: string;
  /** What the page uses it for. */
  readonly why: string;
}

// One path segment with a character other than a dot: never `.` or `..`.
const ID = '[^/]*[^/.][^/]*';

export const CONSOLE_NOMAD_CALLS: readonly NomadCall[] = [
  { method: 'GET', path: '^/v1/acl/token/self$', why: 'sign-in: is this token good, and whose is it' },
  { method: 'GET', path: '^/v1/namespaces$', why: 'the namespaces the token may see, one event stream each' },
  { method: 'GET', path: '^/v1/jobs$', why: 'the overview: every job with its meta (project, branch, commit)' },
  { method: 'GET', path: `^/v1/job/${ID}$`, why: 'a deployment: its spec (resubmitted by restart)' },
  { method: 'GET', path: `^/v1/job/${ID}/(versions|allocations|deployments|summary)$`, why: 'a deployment: versions, allocations, history' },
  { method: 'GET', path: '^/v1/deployments$', why: 'the overview: the last deployment of each job' },
  { method: 'GET', path: '^/v1/allocations$', why: 'the overview: health of each job\'s instances' },
  { method: 'GET', path: `^/v1/allocation/${ID}$`, why: 'an allocation: its task states and events' },
  { method: 'GET', path: '^/v1/nodes$', why: 'the cluster page: nodes and their versions' },
  { method: 'GET', path: `^/v1/node/${ID}$`, why: 'the cluster page: a node\'s resources' },
  { method: 'GET', path: '^/v1/client/stats$', why: 'the cluster page: a node\'s CPU and memory in use' },
  { method: 'GET', path: '^/v1/event/stream$', why: 'live: jobs, deployments and allocations as they change' },
  { method: 'GET', path: `^/v1/client/fs/logs/${ID}$`, why: 'a deployment: an allocation\'s log, followed' },
  { method: 'POST', path: `^/v1/job/${ID}$`, why: 'restart: the job resubmitted as a new version' },
  { method: 'POST', path: `^/v1/job/${ID}/revert$`, why: 'roll back to a version' },
  { method: 'DELETE', path: `^/v1/job/${ID}$`, why: 'stop a review app' },
];

/** Whether the console passes `method path` to Nomad (the same rule Caddy applies). */
export function consoleAllows(method: string, path: string): boolean {
  return CONSOLE_NOMAD_CALLS.some((c) => c.method === method && new RegExp(c.path).test(path));
}
