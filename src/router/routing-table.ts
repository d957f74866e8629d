import { routeClaim } from './service-tags.js';

/** One registration of a service by an allocation, as Nomad's service API returns it. */
export interface ServiceInstance {
  readonly namespace: string;
  readonly jobId: string;
  readonly serviceName: string;
  readonly allocId: string;
  readonly address: string;
  readonly port: number;
  readonly tags: readonly string[];
  /** When Nomad first registered it: the oldest claim on a hostname owns it. */
  readonly createIndex: number;
}

export interface Route {
  readonly host: string;
  readonly scheme: 'https' | 'http';
  /** The job that owns the hostname: namespace/job. */
  readonly owner: string;
  /** host:port of healthy instances, sorted; empty while none is healthy. */
  readonly upstreams: readonly string[];
}

export interface Conflict {
  readonly host: string;
  readonly owner: string;
  /** The job whose claim is refused. */
  readonly claimant: string;
}

export interface RoutingTable {
  readonly routes: readonly Route[];
  readonly conflicts: readonly Conflict[];
}

/**
 * Services → routes. Each hostname belongs to the first job that claimed it (the lowest
 * CreateIndex among its registrations); another job claiming it is not routed and is listed as
 * a conflict, so no job can take another's traffic. Old and canary allocations of the owner
 * share the hostname. Only healthy instances receive traffic. Pure.
 */
export function routingTable(instances: readonly ServiceInstance[], healthy: (allocId: string) => boolean): RoutingTable {
  const claims = new Map<string, { scheme: 'https' | 'http'; byJob: Map<string, { first: number; upstreams: Set<string> }> }>();
  for (const i of instances) {
    const job = `${i.namespace}/${i.jobId}`;
    for (const tag of i.tags) {
      const c = routeClaim(tag);
      if (!c) continue;
      const key = `${c.scheme}://${c.host}`;
      const entry = claims.get(key) ?? { scheme: c.scheme, byJob: new Map() };
      claims.set(key, entry);
      const mine = entry.byJob.get(job) ?? { first: i.createIndex, upstreams: new Set<string>() };
      mine.first = Math.min(mine.first, i.createIndex);
      if (healthy(i.allocId)) mine.upstreams.add(`${i.address.includes(':') ? `[${i.address}]` : i.address}:${i.port}`);
      entry.byJob.set(job, mine);
    }
  }
  const routes: Route[] = [];
  const conflicts: Conflict[] = [];
  for (const [key, { scheme, byJob }] of [...claims].sort(([a], [b]) => a.localeCompare(b))) {
    const host = key.slice(key.indexOf('://') + 3);
    const [owner, ...others] = [...byJob].sort(([ja, a], [jb, b]) => a.first - b.first || ja.localeCompare(jb));
    routes.push({ host, scheme, owner: owner![0], upstreams: [...owner![1].upstreams].sort() });
    for (const [claimant] of others) conflicts.push({ host, owner: owner![0], claimant });
  }
  return { routes, conflicts };
}
