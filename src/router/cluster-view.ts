import { servicesOf } from '../jobspec/services.js';
import type { NomadClient } from '../nomad/client.js';
import type { CheckResult } from '../nomad/allocations.js';
import type { AllocationListStub } from '../nomad/jobs.js';
import type { JobServices, ServiceInstance } from './routing-table.js';
import type { ConsulClient } from '../consul/client.js';
import { consulInstances, routedServiceNames, serviceEntries } from './consul-services.js';

/** What routes are made of, as read from Nomad: running jobs' services, registrations, allocations. */
export interface ClusterView {
  readonly jobs: readonly JobServices[];
  readonly instances: readonly ServiceInstance[];
  readonly allocations: ReadonlyMap<string, AllocationListStub>;
  /** Every job Nomad knows, stopped or dead ones too (namespace/job): a hostname record outlives its job only once it is purged. */
  readonly known: ReadonlySet<string>;
  /** Whether Consul, when followed, was read this time; when it was not, its instances are the last read. */
  readonly consul?: { readonly ok: boolean; readonly error?: string };
}

/**
 * Reads a ClusterView in every namespace: Nomad's services, and Consul's when a Consul client is
 * given. Job specs are read again only when a job's JobModifyIndex moved, so a read costs a job
 * list, the service lists and the allocation list (and Consul's service list and the instances
 * of its routed services). While Consul cannot be read, its last instances stand, but for
 * those whose allocation Nomad has stopped since.
 */
export class ClusterReader {
  private readonly specs = new Map<string, { jobModifyIndex: number; job: JobServices }>();
  private lastConsul: ServiceInstance[] = [];

  constructor(
    private readonly nomad: NomadClient,
    private readonly consul?: ConsulClient,
  ) {}

  async read(): Promise<ClusterView> {
    const all = await this.nomad.jobs.list({ namespace: '*' });
    const stubs = all.filter((j) => !j.Stop && j.Status !== 'dead');
    const jobs: JobServices[] = [];
    for (const stub of stubs) {
      const key = `${stub.Namespace}/${stub.ID}`;
      let cached = this.specs.get(key);
      if (cached?.jobModifyIndex !== stub.JobModifyIndex) {
        const job = await this.nomad.jobs.read(stub.ID, stub.Namespace);
        if (!job) continue;
        cached = {
          jobModifyIndex: stub.JobModifyIndex,
          job: {
            namespace: stub.Namespace,
            jobId: stub.ID,
            createIndex: stub.CreateIndex,
            services: servicesOf(job).filter((s) => s.Provider === 'nomad' || (this.consul && s.Provider === 'consul')).map((s) => ({ name: s.Name, tags: s.Tags ?? [], canaryTags: s.CanaryTags ?? [] })),
          },
        };
        this.specs.set(key, cached);
      }
      jobs.push(cached.job);
    }
    const live = new Set(stubs.map((s) => `${s.Namespace}/${s.ID}`));
    for (const key of this.specs.keys()) if (!live.has(key)) this.specs.delete(key);

    const { value: namespaces } = await this.nomad.services.list();
    const instances: ServiceInstance[] = [];
    for (const ns of namespaces) {
      for (const s of ns.Services) {
        for (const r of await this.nomad.services.registrations(s.ServiceName, ns.Namespace)) {
          instances.push({
            namespace: r.Namespace, jobId: r.JobID, serviceName: r.ServiceName, allocId: r.AllocID,
            address: r.Address, port: r.Port, tags: r.Tags ?? [], createIndex: r.CreateIndex,
          });
        }
      }
    }
    const allocations = new Map((await this.nomad.allocations.list({ namespace: '*' })).map((a) => [a.ID, a]));
    const known = new Set(all.map((j) => `${j.Namespace}/${j.ID}`));
    if (!this.consul) return { jobs, instances, allocations, known };
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
    return { jobs, instances: [...instances, ...this.lastConsul], allocations, known, consul };
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
  const alloc = view.allocations.get(allocId);
  if (alloc && alloc.ClientStatus !== 'running') return false;
  const results = await nomad.allocations.checks(allocId, namespace).catch(() => undefined);
  if (!results) return undefined;
  const health = allocationHealth({ ClientStatus: 'running', DeploymentStatus: alloc?.DeploymentStatus }, Object.values(results));
  return health === 'healthy' || health === '-';
}
