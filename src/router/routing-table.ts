import { endpoint } from './allocated-endpoints.js';
import { routeClaim, type RouteClaim } from './service-tags.js';

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
  /** Known from where it was read (Consul's checks); else the router asks Nomad for its checks. */
  readonly healthy?: boolean;
  /** Its registration's ID in Consul, for one read from there. */
  readonly consulId?: string;
  /** Why it takes no traffic, when Consul's checks say so: the first failing check and its output. */
  readonly failing?: string;
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
  /** Scaled to zero by the router: its hostnames stay routed, to wake it. */
  readonly asleep?: boolean;
}

export interface Route {
  readonly host: string;
  readonly scheme: 'https' | 'http';
  /** The job that owns the hostname: namespace/job. */
  readonly owner: string;
  /** host:port of healthy instances, sorted; empty while none is healthy. */
  readonly upstreams: readonly string[];
  /** The owner sleeps or is waking: a request wakes it instead of getting 503. */
  readonly asleep?: true;
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
  /** Owners recorded in the cluster, by host (namespace/job): they own the host, claiming it or not. */
  readonly recordedOwners?: ReadonlyMap<string, string>;
  /** Owners in the previous table, by host: an owner keeps its hostname while it claims it. */
  readonly previousOwners?: ReadonlyMap<string, string>;
  /** Hostnames of the cluster itself (the Nomad UI's, the base domain): no job may claim them. */
  readonly reserved?: ReadonlySet<string>;
  /** Jobs being woken (namespace/job): their routes wake them, like those of sleeping jobs. */
  readonly waking?: ReadonlySet<string>;
}

/** The owner of a reserved hostname, as conflicts list it. */
export const CLUSTER_OWNER = '(the cluster)';

/** One job's claim on one hostname. */
interface Claim {
  /** Some registration carries the tag (not only the job's spec). */
  registered: boolean;
  /** The oldest registration carrying it, or for a claim from the spec alone, when the job first registered that service (else its creation). */
  index: number;
  upstreams: Set<string>;
}

const hostPort = (i: ServiceInstance) => endpoint(i.address, i.port);

/**
 * Services → routes. Each hostname, with both its schemes, belongs to one job: the owner
 * recorded in the cluster, else the previous owner while it still claims it, else the first job
 * that claimed it (a registered claim beats one only in a spec; then the lowest CreateIndex).
 * Another job claiming it, in either scheme, is not routed and is listed as a conflict, so no
 * job can take another's traffic; a recorded owner that claims it no more (a stopped job) keeps
 * it unrouted. Wildcards and the cluster's own hostnames are never routed. Old and canary
 * allocations of the owner share the hostname, and only healthy instances receive traffic. A
 * canary hostname reaches only canaries while there are any, and the service's current
 * instances otherwise. Pure.
 */
export function routingTable(input: RoutingInput): RoutingTable {
  // host → job → scheme → claim
  const claims = new Map<string, Map<string, Map<'https' | 'http', Claim>>>();
  const claim = (host: string, scheme: 'https' | 'http', job: string, index: number): Claim => {
    const byJob = claims.get(host) ?? new Map<string, Map<'https' | 'http', Claim>>();
    claims.set(host, byJob);
    const bySchema = byJob.get(job) ?? new Map<'https' | 'http', Claim>();
    byJob.set(job, bySchema);
    const mine = bySchema.get(scheme) ?? { registered: false, index, upstreams: new Set<string>() };
    bySchema.set(scheme, mine);
    return mine;
  };
  const healthy = (i: ServiceInstance) => i.healthy ?? input.healthy(i.allocId);
  const claimsOf = (tags: readonly string[]) => {
    const seen = new Map<string, RouteClaim>();
    for (const tag of tags) {
      const c = routeClaim(tag);
      if (c) seen.set(`${c.scheme}://${c.host}`, c);
    }
    return [...seen.values()];
  };

  for (const i of input.instances) {
    for (const c of claimsOf(i.tags)) {
      const mine = claim(c.host, c.scheme, `${i.namespace}/${i.jobId}`, i.createIndex);
      mine.index = mine.registered ? Math.min(mine.index, i.createIndex) : i.createIndex;
      mine.registered = true;
      if (healthy(i)) mine.upstreams.add(hostPort(i));
    }
  }

  // Each job's instances by service, found once rather than by a scan per service.
  const byService = new Map<string, ServiceInstance[]>();
  for (const i of input.instances) {
    const key = `${i.namespace}/${i.jobId}/${i.serviceName}`;
    const list = byService.get(key);
    if (list) list.push(i);
    else byService.set(key, [i]);
  }
  for (const j of input.jobs) {
    const job = `${j.namespace}/${j.jobId}`;
    for (const s of j.services) {
      const mine = byService.get(`${job}/${s.name}`) ?? [];
      const since = mine.length ? Math.min(...mine.map((i) => i.createIndex)) : j.createIndex;
      for (const [tags, canary] of [[s.tags, false], [s.canaryTags, true]] as const) {
        for (const rc of claimsOf(tags)) {
          const c = claim(rc.host, rc.scheme, job, since);
          if (canary && !c.registered) {
            // No canary is running: the canary hostname shows what the main one does.
            for (const i of mine) if (healthy(i)) c.upstreams.add(hostPort(i));
          }
        }
      }
    }
  }

  const asleep = new Set([...input.jobs.filter((j) => j.asleep).map((j) => `${j.namespace}/${j.jobId}`), ...(input.waking ?? [])]);
  const routes: Route[] = [];
  const conflicts: Conflict[] = [];
  for (const [host, byJob] of [...claims].sort(([a], [b]) => a.localeCompare(b))) {
    const claimants = [...byJob.keys()].sort();
    if (host.split('.').includes('*') || input.reserved?.has(host)) {
      for (const claimant of claimants) conflicts.push({ host, owner: CLUSTER_OWNER, claimant });
      continue;
    }
    const best = (job: string) => {
      const cs = [...byJob.get(job)!.values()];
      return [cs.some((c) => c.registered) ? 0 : 1, Math.min(...cs.map((c) => c.index))] as const;
    };
    const previous = input.previousOwners?.get(host);
    const owner =
      input.recordedOwners?.get(host) ??
      (previous && byJob.has(previous) ? previous : [...claimants].sort((a, b) => {
        const [ra, rb] = [best(a), best(b)];
        return ra[0] - rb[0] || ra[1] - rb[1] || a.localeCompare(b);
      })[0]!);
    for (const [scheme, c] of [...(byJob.get(owner) ?? new Map<'https' | 'http', Claim>())].sort(([a], [b]) => b.localeCompare(a))) {
      routes.push({ host, scheme, owner, upstreams: [...c.upstreams].sort(), ...(asleep.has(owner) ? { asleep: true as const } : {}) });
    }
    for (const claimant of claimants) if (claimant !== owner) conflicts.push({ host, owner, claimant });
  }
  return { routes, conflicts };
}

/** host → owner, to hand to the next round as `previousOwners`. */
export function owners(table: RoutingTable): Map<string, string> {
  return new Map(table.routes.map((r) => [r.host, r.owner]));
}
