import { CLUSTER_OWNER, type RoutingTable } from './routing-table.js';

/** The ingress as the console shows it to one token: only what belongs to jobs the token may read. */
export interface VisibleIngress {
  readonly routes: readonly { readonly host: string; readonly scheme: 'https' | 'http'; readonly owner: string; readonly instances: number }[];
  /** Claims refused to a visible job; the owner is named only when the token may see it too (or it is the cluster's own hostname). */
  readonly refused: readonly { readonly host: string; readonly claimant: string; readonly owner: string | undefined }[];
  readonly records: readonly { readonly host: string; readonly owner: string; readonly since: string }[];
  /** The visible jobs that may sleep: asleep or not, and their last request through this router. */
  readonly sleep: readonly SleepState[];
}

export interface SleepState {
  readonly job: string;
  readonly asleep: boolean;
  /** ISO time of the last request through this router, when it saw one. */
  readonly lastRequest?: string | undefined;
  readonly sleepsAfter: string;
}

/**
 * The router's table cut down to the jobs (namespace/job) a token may read: a team sees its own
 * hostnames and refused claims, never another namespace's, nor the instances' addresses. Pure.
 */
export function visibleIngress(
  table: RoutingTable,
  records: readonly { readonly host: string; readonly owner: string; readonly since: string }[] | undefined,
  visible: ReadonlySet<string>,
  sleep: readonly SleepState[] = [],
): VisibleIngress {
  return {
    routes: table.routes.filter((r) => visible.has(r.owner)).map((r) => ({ host: r.host, scheme: r.scheme, owner: r.owner, instances: r.upstreams.length })),
    refused: table.conflicts.filter((c) => visible.has(c.claimant)).map((c) => ({ host: c.host, claimant: c.claimant, owner: visible.has(c.owner) || c.owner === CLUSTER_OWNER ? c.owner : undefined })),
    records: (records ?? []).filter((r) => visible.has(r.owner)).map(({ host, owner, since }) => ({ host, owner, since })),
    sleep: sleep.filter((s) => visible.has(s.job)),
  };
}
