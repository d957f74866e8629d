import { servicesOf } from '../jobspec/services.js';
import type { NomadClient } from '../nomad/client.js';
import type { CheckResult } from '../nomad/allocations.js';
import type { AllocationListStub, JobListStub } from '../nomad/jobs.js';
import type { NomadEvent } from '../nomad/events.js';
import { mapLimit } from './parallel.js';
import { wakeCounts } from './sleep-policy.js';
import type { JobServices, ServiceInstance } from './routing-table.js';
import type { ConsulClient } from '../consul/client.js';
import { consulInstances, routedServiceNames, serviceEntries } from './consul-services.js';
import { allocatedEndpoints, checkEndpoints, type RefusedInstance } from './allocated-endpoints.js';
import { ClusterLists, jobKey, jobStub, type AllocationFacts } from './cluster-lists.js';
import { probesOf, type Probe } from './wake-probe.js';

/** What routes are made of, as read from Nomad: running jobs' services, registrations, allocations. */
export interface ClusterView {
  readonly jobs: readonly JobServices[];
  /** Instances registered at an address Nomad gave their allocation: only these are routed. */
  readonly instances: readonly ServiceInstance[];
  /** Instances registered anywhere else, which are not. */
  readonly refused: readonly RefusedInstance[];
  readonly allocations: ReadonlyMap<string, AllocationFacts>;
  /** Every job Nomad knows, stopped or dead ones too (namespace/job): a hostname record outlives its job only once it is purged. */
  readonly known: ReadonlySet<string>;
  /**
   * Services with checks (namespace/job/service): an instance of any other is healthy while its
   * allocation runs, without asking. Each with the probes the router may run itself while the app
   * wakes, or undefined when it must wait for Nomad's checks.
   */
  readonly checked: ReadonlyMap<string, readonly Probe[] | undefined>;
  /** What sleeping and waking need of each routed job (namespace/job): awake ones and asleep ones. */
  readonly facts: ReadonlyMap<string, JobFacts>;
  /** Whether Consul, when followed, was read this time; when it was not, its instances are the last read. */
  readonly consul?: { readonly ok: boolean; readonly error?: string };
}


export interface JobFacts {
  readonly namespace: string;
  readonly jobId: string;
  readonly meta: Readonly<Record<string, string>>;
  /** When it was last deployed (ms); a scale does not move it. */
  readonly submitTimeMs: number;
  /** Its groups and their counts now. */
  readonly groups: ReadonlyMap<string, number>;
  /** Asleep: the counts to wake each group to. */
  readonly wakeCounts?: ReadonlyMap<string, number> | undefined;
}

type ReadJob = { jobModifyIndex: number; readAt: number; job: JobServices; facts: JobFacts; checked: readonly (readonly [string, readonly Probe[] | undefined])[] } | { jobModifyIndex: number; readAt: number; job?: undefined };

/** Nomad writes a scale's event just after the job: a job at zero without one is read again after this. */
const UNSURE_MS = 2000;

/** New allocations up to this many are read one by one for their ports; more, in one list. */
const FEW_ALLOCATIONS = 16;

/** How many reads of jobs run at once. */
const PARALLEL_READS = 8;

/**
 * Reads a ClusterView in every namespace: Nomad's services, and Consul's when a Consul client is
 * given. A full read lists Nomad's jobs, allocations and service registrations; between full
 * reads the router hands over Nomad's events, which keep those lists up to date (ClusterLists),
 * so a read then costs only what the events named: a job whose JobModifyIndex moved is read
 * again, a job that may have been purged is asked for. (And Consul's service list and the
 * instances of its routed services.) While Consul cannot be read, its last instances stand,
 * but for those whose allocation Nomad has stopped since.
 */
export class ClusterReader {
  private readonly specs = new Map<string, ReadJob>();
  private lastConsul: ServiceInstance[] = [];
  /** Nomad's lists, kept up to date from the event stream between full reads. */
  private lists: ClusterLists | undefined;
  /** Events that arrive during a full read, applied again to its lists once it is done. */
  private duringRead: NomadEvent[] | undefined;
  /** Where each allocation may be reached (allocatedEndpoints): Nomad never changes it, so it is read once per allocation. */
  private readonly endpoints = new Map<string, ReadonlySet<string>>();

  constructor(
    private readonly nomad: NomadClient,
    private readonly consul?: ConsulClient,
  ) {}

  /** Events of Nomad's Job, Allocation and Service topics, in the order of the stream. */
  applyEvents(events: readonly NomadEvent[]): void {
    for (const e of events) {
      this.duringRead?.push(e);
      this.lists?.apply(e);
    }
  }

  /**
   * Reads the view. `full: false` takes Nomad's lists as the event stream left them (after a
   * first full read); the router reads them whole after a reconnect and every resync.
   */
  async read(o: { full?: boolean } = {}): Promise<ClusterView> {
    const lists = o.full !== false || !this.lists ? await this.readLists() : this.lists;
    await this.askSuspects(lists);
    const all = [...lists.jobs.values()];
    // A dead job that is not stopped may be asleep (scaled to zero by the router): its spec says.
    const stubs = all.filter((j) => !j.Stop && (j.Status !== 'dead' || j.Type === 'service'));
    const read = await mapLimit(stubs, PARALLEL_READS, async (stub) => {
      const key = jobKey(stub);
      const cached = this.specs.get(key);
      // A job scaled to zero whose sleep event is not written yet is asked again shortly.
      const unsure = cached?.job && !cached.facts.wakeCounts && [...cached.facts.groups.values()].every((n) => n === 0) && Date.now() - cached.readAt > UNSURE_MS;
      if (cached?.jobModifyIndex === stub.JobModifyIndex && !unsure) return cached;
      const fresh = await this.readJob(stub);
      this.specs.set(key, fresh);
      return fresh;
    });
    const jobs: JobServices[] = [];
    const facts = new Map<string, JobFacts>();
    const checked = new Map<string, readonly Probe[] | undefined>();
    stubs.forEach((stub, i) => {
      const r = read[i]!;
      if (!r.job || (stub.Status === 'dead' && !r.facts.wakeCounts)) return;
      jobs.push(r.job);
      facts.set(jobKey(stub), r.facts);
      for (const [name, probes] of r.checked) checked.set(`${jobKey(stub)}/${name}`, probes);
    });
    const live = new Set(stubs.map(jobKey));
    for (const key of this.specs.keys()) if (!live.has(key)) this.specs.delete(key);

    // A purge deletes a job's registrations with it, and Nomad's stream has no event for that.
    const known = new Set(lists.jobs.keys());
    for (const [id, i] of lists.registrations) if (!known.has(`${i.namespace}/${i.jobId}`)) lists.registrations.delete(id);
    const allocations: ReadonlyMap<string, AllocationFacts> = lists.allocations;
    const registrations = [...lists.registrations.values()];
    await this.readEndpoints(allocations, registrations);
    const endpointsOf = (id: string) => this.endpoints.get(id);
    const nomads = checkEndpoints(registrations, endpointsOf);
    if (!this.consul) return { jobs, instances: nomads.routable, refused: nomads.refused, allocations, known, facts, checked };
    let consul: ClusterView['consul'] = { ok: true };
    try {
      const names = routedServiceNames((await this.consul.catalog.services()).value);
      const previous = new Map(this.lastConsul.map((i) => [i.consulId!, i.healthy === true]));
      this.lastConsul = consulInstances(await serviceEntries(this.consul, names), allocations, previous);
    } catch (e) {
      consul = { ok: false, error: (e as Error).message };
      // What Consul said last, but not for allocations Nomad has stopped since.
      this.lastConsul = this.lastConsul.filter((i) => allocations.get(i.allocId)?.ClientStatus === 'running');
    }
    await this.readEndpoints(allocations, this.lastConsul);
    const consuls = checkEndpoints(this.lastConsul, endpointsOf);
    return { jobs, instances: [...nomads.routable, ...consuls.routable], refused: [...nomads.refused, ...consuls.refused], allocations, known, facts, checked, consul };
  }

  /**
   * Lists every job, service registration and allocation. Events that arrive meanwhile are
   * applied to the new lists too (what is older than the lists changes nothing), so none is lost.
   * The lists stand only once all three are read.
   */
  private async readLists(): Promise<ClusterLists> {
    this.duringRead = [];
    try {
      const jobs = await this.nomad.jobs.list({ namespace: '*' });
      const { value: namespaces } = await this.nomad.services.list();
      const services = namespaces.flatMap((ns) => ns.Services.map((s) => [s.ServiceName, ns.Namespace] as const));
      const registrations = await mapLimit(services, PARALLEL_READS, ([name, namespace]) => this.nomad.services.registrations(name, namespace));
      const allocations = await this.nomad.allocations.list({ namespace: '*', task_states: false });
      const lists = new ClusterLists({ jobs, allocations, registrations: registrations.flat() }, this.endpoints);
      for (const e of this.duringRead) lists.apply(e);
      this.lists = lists;
      return lists;
    } finally {
      this.duringRead = undefined;
    }
  }

  /** Asks Nomad about each job an event showed on its way out: forgotten when purged. */
  private async askSuspects(lists: ClusterLists): Promise<void> {
    const suspects = [...lists.suspects];
    lists.suspects.clear();
    await mapLimit(suspects, PARALLEL_READS, async (key) => {
      const kept = lists.jobs.get(key);
      const [namespace, ...id] = key.split('/');
      try {
        const job = await this.nomad.jobs.read(id.join('/'), namespace!);
        if (job) lists.setJob(jobStub(job));
        else lists.forgetJob(key, kept);
      } catch (e) {
        lists.suspects.add(key);
        throw e;
      }
    });
  }

  /**
   * Reads where the allocations of `instances` may be reached, for those not known yet (events
   * carry it; a list does not): one by one when they are a few, else the whole list with its
   * resources once (a start). An allocation Nomad no longer lists is forgotten.
   */
  private async readEndpoints(allocations: ReadonlyMap<string, AllocationFacts>, instances: readonly ServiceInstance[]): Promise<void> {
    for (const id of this.endpoints.keys()) if (!allocations.has(id)) this.endpoints.delete(id);
    const unknown = [...new Set(instances.map((i) => i.allocId))].map((id) => allocations.get(id)).filter((a) => a !== undefined && !this.endpoints.has(a.ID)) as AllocationFacts[];
    if (unknown.length > FEW_ALLOCATIONS) {
      for (const a of await this.nomad.allocations.list({ namespace: '*', task_states: false, resources: true })) this.endpoints.set(a.ID, new Set(allocatedEndpoints(a)));
      return;
    }
    await mapLimit(unknown, PARALLEL_READS, async (a) => {
      const full = await this.nomad.allocations.read(a.ID, { namespace: a.Namespace }).catch(() => undefined);
      if (full) this.endpoints.set(a.ID, new Set(allocatedEndpoints(full)));
    });
  }

  /** A job's routed services and sleep facts; a job whose groups all have count 0 is asked whether the router put it to sleep. */
  private async readJob(stub: JobListStub): Promise<ReadJob> {
    const readAt = Date.now();
    const job = await this.nomad.jobs.read(stub.ID, stub.Namespace);
    if (!job) return { jobModifyIndex: stub.JobModifyIndex, readAt };
    const groups = new Map(job.TaskGroups.map((g) => [g.Name, g.Count ?? 1]));
    const wake = [...groups.values()].every((c) => c === 0) ? wakeCounts(await this.nomad.jobs.scaleStatus(stub.ID, stub.Namespace)) : undefined;
    return {
      jobModifyIndex: stub.JobModifyIndex,
      readAt,
      checked: servicesOf(job)
        .filter((s) => s.Checks?.length)
        .map((s) => [s.Name, probesOf(s)] as const),
      job: {
        namespace: stub.Namespace,
        jobId: stub.ID,
        createIndex: stub.CreateIndex,
        services: servicesOf(job).filter((s) => s.Provider === 'nomad' || (this.consul && s.Provider === 'consul')).map((s) => ({ name: s.Name, tags: s.Tags ?? [], canaryTags: s.CanaryTags ?? [] })),
        ...(wake ? { asleep: true } : {}),
      },
      facts: { namespace: stub.Namespace, jobId: stub.ID, meta: job.Meta ?? {}, submitTimeMs: job.SubmitTime / 1e6, groups, wakeCounts: wake },
    };
  }
}

export type Health = 'healthy' | 'failing' | 'starting' | 'unhealthy' | '-';

/** An allocation's health: its checks when it has any, else what its deployment said. */
export function allocationHealth(a: Pick<AllocationListStub, 'ClientStatus' | 'DeploymentStatus'>, checks: readonly CheckResult[] | undefined): Health {
  if (a.ClientStatus !== 'running') return '-';
  if (checks?.length) {
    if (checks.every((c) => c.Status === 'success')) return 'healthy';
    return checks.some((c) => c.Status === 'failure') ? 'failing' : 'starting';
  }
  const healthy = a.DeploymentStatus?.Healthy;
  return healthy === true ? 'healthy' : healthy === false ? 'unhealthy' : '-';
}

/**
 * Whether an instance takes traffic: its allocation runs and all its checks pass (one without
 * checks: unless its deployment marked it unhealthy). Undefined when its node does not answer.
 */
export async function instanceHealth(nomad: NomadClient, view: ClusterView, allocId: string, namespace: string): Promise<boolean | undefined> {
  const state = await instanceState(nomad, view, allocId, namespace);
  return state && state === 'healthy';
}

/**
 * Where an instance stands: healthy; starting (its allocation is pending, or a check has not
 * run yet); failing (a check fails, or its deployment marked it unhealthy); or down (its
 * allocation stopped). Undefined when its node does not answer.
 */
export async function instanceState(nomad: NomadClient, view: ClusterView, allocId: string, namespace: string): Promise<'healthy' | 'starting' | 'failing' | 'down' | undefined> {
  const alloc = view.allocations.get(allocId);
  if (alloc && alloc.ClientStatus !== 'running') return alloc.ClientStatus === 'pending' ? 'starting' : 'down';
  const results = await nomad.allocations.checks(allocId, namespace).catch(() => undefined);
  if (!results) return undefined;
  const health = allocationHealth({ ClientStatus: 'running', DeploymentStatus: alloc?.DeploymentStatus }, Object.values(results));
  return health === 'healthy' || health === '-' ? 'healthy' : health === 'starting' ? 'starting' : 'failing';
}
