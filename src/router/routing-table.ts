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

/**
 * A running job's services as its spec declares them (Nomad-provider services only). They make
 * its hostnames known before and between registrations: a canary hostname exists from the first
 * deploy, and a job between allocations keeps its routes.
 */
export interface JobServices {
  readonly namespace: string;
  readonly jobId: string;
  readonly createIndex: number;
  readonly services: readonly { readonly name: string; readonly tags: readonly string[]; readonly canaryTags: readonly string[] }[];
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

export interface RoutingInput {
  readonly jobs: readonly JobServices[];
  readonly instances: readonly ServiceInstance[];
  readonly healthy: (allocId: string) => boolean;
  /** Owners in the previous table, by `scheme://host`: an owner keeps its hostname while it claims it. */
  readonly previousOwners?: ReadonlyMap<string, string>;
}

/** One job's claim on one hostname. */
interface Claim {
  /** Some registration carries the tag (not only the job's spec). */
  registered: boolean;
  /** The oldest registration carrying it, or for a claim from the spec alone, when the job first registered that service (else its creation). */
  index: number;
  upstreams: Set<string>;
}

const hostPort = (i: ServiceInstance) => `${i.address.includes(':') ? `[${i.address}]` : i.address}:${i.port}`;

/**
 * Services → routes. Each hostname belongs to the first job that claimed it (the lowest
 * CreateIndex among its registrations; a registered claim beats one only in a spec; the
 * previous owner keeps it while it still claims it); another job claiming it is not routed and
 * is listed as a conflict, so no job can take another's traffic. Old and canary allocations of
 * the owner share the hostname, and only healthy instances receive traffic. A canary hostname
 * reaches only canaries while there are any, and the service's current instances otherwise.
 * Pure.
 */
export function routingTable(input: RoutingInput): RoutingTable {
  const claims = new Map<string, Map<string, Claim>>();
  const claim = (key: string, job: string, index: number): Claim => {
    const byJob = claims.get(key) ?? new Map<string, Claim>();
    claims.set(key, byJob);
    const mine = byJob.get(job) ?? { registered: false, index, upstreams: new Set<string>() };
    byJob.set(job, mine);
    return mine;
  };
  const routeKey = (tag: string) => {
    const c = routeClaim(tag);
    return c ? `${c.scheme}://${c.host}` : undefined;
  };

  for (const i of input.instances) {
    for (const key of new Set(i.tags.map(routeKey))) {
      if (!key) continue;
      const mine = claim(key, `${i.namespace}/${i.jobId}`, i.createIndex);
      mine.index = mine.registered ? Math.min(mine.index, i.createIndex) : i.createIndex;
      mine.registered = true;
      if (input.healthy(i.allocId)) mine.upstreams.add(hostPort(i));
    }
  }

  for (const j of input.jobs) {
    const job = `${j.namespace}/${j.jobId}`;
    for (const s of j.services) {
      const mine = input.instances.filter((i) => i.namespace === j.namespace && i.jobId === j.jobId && i.serviceName === s.name);
      const since = mine.length ? Math.min(...mine.map((i) => i.createIndex)) : j.createIndex;
      for (const [tags, canary] of [[s.tags, false], [s.canaryTags, true]] as const) {
        for (const key of new Set(tags.map(routeKey))) {
          if (!key) continue;
          const c = claim(key, job, since);
          if (canary && !c.registered) {
            // No canary is running: the canary hostname shows what the main one does.
            for (const i of mine) if (input.healthy(i.allocId)) c.upstreams.add(hostPort(i));
          }
        }
      }
    }
  }

  const routes: Route[] = [];
  const conflicts: Conflict[] = [];
  for (const [key, byJob] of [...claims].sort(([a], [b]) => a.localeCompare(b))) {
    const scheme = key.slice(0, key.indexOf('://')) as 'https' | 'http';
    const host = key.slice(key.indexOf('://') + 3);
    const previous = input.previousOwners?.get(key);
    const rank = ([job, c]: [string, Claim]) => [job === previous ? 0 : 1, c.registered ? 0 : 1, c.index] as const;
    const [owner, ...others] = [...byJob].sort((a, b) => {
      const [ra, rb] = [rank(a), rank(b)];
      return ra[0] - rb[0] || ra[1] - rb[1] || ra[2] - rb[2] || a[0].localeCompare(b[0]);
    });
    routes.push({ host, scheme, owner: owner![0], upstreams: [...owner![1].upstreams].sort() });
    for (const [claimant] of others) conflicts.push({ host, owner: owner![0], claimant });
  }
  return { routes, conflicts };
}

/** `scheme://host` → owner, to hand to the next round as `previousOwners`. */
export function owners(table: RoutingTable): Map<string, string> {
  return new Map(table.routes.map((r) => [`${r.scheme}://${r.host}`, r.owner]));
}
