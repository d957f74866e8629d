import { servicesOf } from '../jobspec/services.js';
import type { NomadClient } from '../nomad/client.js';
import type { CheckResult } from '../nomad/allocations.js';
import type { AllocationListStub, JobListStub } from '../nomad/jobs.js';
import type { NomadEvent } from '../nomad/events.js';
import type { ServiceRegistration } from '../nomad/services.js';
import { mapLimit } from './parallel.js';
import { wakeCounts } from './sleep-policy.js';
import type { JobServices, ServiceInstance } from './routing-table.js';
import type { ConsulClient } from '../consul/client.js';
import { consulInstances, routedServiceNames, serviceEntries } from './consul-services.js';
import { allocatedEndpoints, checkEndpoints, type RefusedInstance } from './allocated-endpoints.js';

/** What routes are made of, as read from Nomad: running jobs' services, registrations, allocations. */
export interface ClusterView {
  readonly jobs: readonly JobServices[];
  /** Instances registered at an address Nomad gave their allocation: only these are routed. */
  readonly instances: readonly ServiceInstance[];
  /** Instances registered anywhere else, which are not. */
  readonly refused: readonly RefusedInstance[];
  readonly allocations: ReadonlyMap<string, AllocationListStub>;
  /** Every job Nomad knows, stopped or dead ones too (namespace/job): a hostname record outlives its job only once it is purged. */
  readonly known: ReadonlySet<string>;
  /** Services with checks (namespace/job/service): an instance of any other is healthy while its allocation runs, without asking. */
  readonly checked: ReadonlySet<string>;
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

type ReadJob = { jobModifyIndex: number; readAt: number; job: JobServices; facts: JobFacts; checked: readonly string[] } | { jobModifyIndex: number; readAt: number; job?: undefined };

const instanceOf = (r: ServiceRegistration): ServiceInstance => ({
  namespace: r.Namespace, jobId: r.JobID, serviceName: r.ServiceName, allocId: r.AllocID,
  address: r.Address, port: r.Port, tags: r.Tags ?? [], createIndex: r.CreateIndex,
});

/**
 * Applies one event of Nomad's Service topic to the registrations it keeps, by registration ID.
 * Registrations are written only as "ServiceRegistration"; a deletion carries the type of what
 * caused it (ServiceDeregistration, and also JobDeregistered, AllocationUpdated… when Nomad
 * removes them with a job or an allocation), so any other type is a removal.
 */
export function applyServiceEvent(registrations: Map<string, ServiceInstance>, e: Pick<NomadEvent, 'Type' | 'Payload'>): void {
  const r = (e.Payload as { Service?: ServiceRegistration }).Service;
  if (!r?.ID) return;
  if (e.Type === 'ServiceRegistration') registrations.set(r.ID, instanceOf(r));
  else registrations.delete(r.ID);
}

/** Nomad writes a scale's event just after the job: a job at zero without one is read again after this. */
const UNSURE_MS = 2000;

/** New allocations up to this many are read one by one for their ports; more, in one list. */
const FEW_ALLOCATIONS = 16;

/** How many reads of jobs run at once. */
const PARALLEL_READS = 8;

/**
 * Reads a ClusterView in every namespace: Nomad's services, and Consul's when a Consul client is
 * given. Job specs are read again only when a job's JobModifyIndex moved, so a read costs a job
 * list, the service lists and the allocation list (and Consul's service list and the instances
 * of its routed services). While Consul cannot be read, its last instances stand, but for
 * those whose allocation Nomad has stopped since.
 */
export class ClusterReader {
  private readonly specs = new Map<string, ReadJob>();
  private lastConsul: ServiceInstance[] = [];
  /** Nomad's registrations by ID, kept up to date from the event stream between full reads. */
  private registrations: Map<string, ServiceInstance> | undefined;
  /** Service events that arrive during a full read, applied again once it is done. */
  private duringRead: NomadEvent[] | undefined;
  /** The job and allocation lists as last read, and whether an event said they changed since. */
  private lastJobs: JobListStub[] | undefined;
  private lastAllocations: Map<string, AllocationListStub> | undefined;
  /** Where each allocation may be reached (allocatedEndpoints): Nomad never changes it, so it is read once per allocation. */
  private readonly endpoints = new Map<string, ReadonlySet<string>>();
  private readonly stale = { jobs: true, allocations: true };

  constructor(
    private readonly nomad: NomadClient,
    private readonly consul?: ConsulClient,
  ) {}

  /**
   * Service events from Nomad's stream: registrations come and go without reading every service
   * again (with a thousand services, that read is a thousand calls).
   */
  applyEvents(events: readonly NomadEvent[]): void {
    for (const e of events) {
      // A purge has no Job event of its own: its allocations' plan and its services' removal say it.
      if (e.Topic === 'Job' || (e.Topic === 'Allocation' && e.Type === 'PlanResult') || (e.Topic === 'Service' && e.Type !== 'ServiceRegistration')) this.stale.jobs = true;
      if (e.Topic === 'Allocation') this.stale.allocations = true;
      if (e.Topic !== 'Service') continue;
      this.duringRead?.push(e);
      if (this.registrations) applyServiceEvent(this.registrations, e);
    }
  }

  /**
   * Reads the view. `full: false` takes Nomad's registrations as the event stream left them
   * (after a first full read); the router reads them whole after a reconnect and every resync.
   */
  async read(o: { full?: boolean } = {}): Promise<ClusterView> {
    const full = o.full !== false || !this.registrations;
    const all = (this.lastJobs = await this.fresh('jobs', this.lastJobs, full, () => this.nomad.jobs.list({ namespace: '*' })));
    // A dead job that is not stopped may be asleep (scaled to zero by the router): its spec says.
    const stubs = all.filter((j) => !j.Stop && (j.Status !== 'dead' || j.Type === 'service'));
    const read = await mapLimit(stubs, PARALLEL_READS, async (stub) => {
      const key = `${stub.Namespace}/${stub.ID}`;
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
    const checked = new Set<string>();
    stubs.forEach((stub, i) => {
      const r = read[i]!;
      if (!r.job || (stub.Status === 'dead' && !r.facts.wakeCounts)) return;
      jobs.push(r.job);
      facts.set(`${stub.Namespace}/${stub.ID}`, r.facts);
      for (const name of r.checked) checked.add(`${stub.Namespace}/${stub.ID}/${name}`);
    });
    const live = new Set(stubs.map((s) => `${s.Namespace}/${s.ID}`));
    for (const key of this.specs.keys()) if (!live.has(key)) this.specs.delete(key);

    if (full) {
      this.duringRead = [];
      try {
        const { value: namespaces } = await this.nomad.services.list();
        const services = namespaces.flatMap((ns) => ns.Services.map((s) => [s.ServiceName, ns.Namespace] as const));
        const registrations = await mapLimit(services, PARALLEL_READS, ([name, namespace]) => this.nomad.services.registrations(name, namespace));
        this.registrations = new Map(registrations.flat().map((r) => [r.ID, instanceOf(r)]));
        for (const e of this.duringRead) applyServiceEvent(this.registrations, e);
      } finally {
        this.duringRead = undefined;
      }
    }
    // A purge deletes a job's registrations with it, and Nomad's stream has no event for that.
    const known = new Set(all.map((j) => `${j.Namespace}/${j.ID}`));
    for (const [id, i] of this.registrations!) if (!known.has(`${i.namespace}/${i.jobId}`)) this.registrations!.delete(id);
    // Only what routing needs of each allocation: a thousand whole stubs are megabytes.
    const allocations = (this.lastAllocations = await this.fresh('allocations', this.lastAllocations, full, async () =>
      new Map((await this.nomad.allocations.list({ namespace: '*', task_states: false })).map((a) => [a.ID, routingFacts(a)])),
    ));
    await this.readEndpoints(allocations, [...this.registrations!.values()]);
    const endpointsOf = (id: string) => this.endpoints.get(id);
    const nomads = checkEndpoints([...this.registrations!.values()], endpointsOf);
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
   * A list read again on a full read or when an event said it changed, else as last read (a
   * registration alone changes neither the jobs nor the allocations). One that fails to be read
   * is read again next time.
   */
  private async fresh<T>(which: keyof ClusterReader['stale'], last: T | undefined, full: boolean, readList: () => Promise<T>): Promise<T> {
    if (!full && !this.stale[which] && last !== undefined) return last;
    this.stale[which] = false;
    try {
      return await readList();
    } catch (e) {
      this.stale[which] = true;
      throw e;
    }
  }

  /**
   * Reads where the allocations of `instances` may be reached, for those not read before: one by
   * one when they are a few (a deploy's), else the whole list with its resources once (a start).
   * An allocation Nomad no longer lists is forgotten.
   */
  private async readEndpoints(allocations: ReadonlyMap<string, AllocationListStub>, instances: readonly ServiceInstance[]): Promise<void> {
    for (const id of this.endpoints.keys()) if (!allocations.has(id)) this.endpoints.delete(id);
    const unknown = [...new Set(instances.map((i) => i.allocId))].map((id) => allocations.get(id)).filter((a) => a !== undefined && !this.endpoints.has(a.ID)) as AllocationListStub[];
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
      checked: servicesOf(job).filter((s) => s.Checks?.length).map((s) => s.Name),
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

/** The fields of an allocation stub that routing and health read. */
function routingFacts(a: AllocationListStub): AllocationListStub {
  return { ID: a.ID, Name: a.Name, JobID: a.JobID, JobVersion: a.JobVersion, Namespace: a.Namespace, NodeID: a.NodeID, TaskGroup: a.TaskGroup, ClientStatus: a.ClientStatus, DesiredStatus: a.DesiredStatus, DeploymentStatus: a.DeploymentStatus, CreateTime: a.CreateTime, ModifyTime: a.ModifyTime, CreateIndex: a.CreateIndex } as AllocationListStub;
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
  const alloc = view.allocations.get(allocId);
  if (alloc && alloc.ClientStatus !== 'running') return false;
  const results = await nomad.allocations.checks(allocId, namespace).catch(() => undefined);
  if (!results) return undefined;
  const health = allocationHealth({ ClientStatus: 'running', DeploymentStatus: alloc?.DeploymentStatus }, Object.values(results));
  return health === 'healthy' || health === '-';
}
