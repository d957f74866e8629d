import type { AllocationListStub, JobListStub, RegisteredJob } from '../nomad/jobs.js';
import type { NomadEvent } from '../nomad/events.js';
import type { ServiceRegistration } from '../nomad/services.js';
import { allocatedEndpoints } from './allocated-endpoints.js';
import type { ServiceInstance } from './routing-table.js';

/** The fields of an allocation that routing and health read: a thousand whole stubs are megabytes. */
export type AllocationFacts = Pick<
  AllocationListStub,
  'ID' | 'Name' | 'JobID' | 'Namespace' | 'NodeID' | 'TaskGroup' | 'ClientStatus' | 'DesiredStatus' | 'DeploymentStatus' | 'CreateTime' | 'ModifyTime' | 'CreateIndex' | 'ModifyIndex'
>;

export function allocationFacts(a: AllocationFacts): AllocationFacts {
  const { ID, Name, JobID, Namespace, NodeID, TaskGroup, ClientStatus, DesiredStatus, DeploymentStatus, CreateTime, ModifyTime, CreateIndex, ModifyIndex } = a;
  return { ID, Name, JobID, Namespace, NodeID, TaskGroup, ClientStatus, DesiredStatus, DeploymentStatus, CreateTime, ModifyTime, CreateIndex, ModifyIndex };
}

/** The list stub of a whole job (an event's payload, or a read). */
export function jobStub(j: Pick<RegisteredJob, 'ID' | 'Name' | 'Namespace' | 'Status' | 'Type' | 'SubmitTime' | 'Stop' | 'JobModifyIndex' | 'Meta'> & { CreateIndex?: number; ModifyIndex?: number }): JobListStub {
  return { ID: j.ID, Name: j.Name, Namespace: j.Namespace ?? 'default', Status: j.Status, Type: j.Type ?? 'service', SubmitTime: j.SubmitTime, Stop: j.Stop ?? false, CreateIndex: j.CreateIndex ?? 0, ModifyIndex: j.ModifyIndex ?? 0, JobModifyIndex: j.JobModifyIndex, Meta: j.Meta ?? null };
}

export const jobKey = (j: { Namespace: string; ID: string }): string => `${j.Namespace}/${j.ID}`;

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

/**
 * Nomad's jobs, allocations and service registrations as last listed, kept up to date from the
 * event stream between list reads, so a change costs the router no read of every job and every
 * allocation (at a thousand jobs, most of a round). Pure.
 *
 * Nomad's stream carries each written job and allocation whole, but no deletion of either: a
 * purged job, or an allocation garbage-collected, simply stops being written. A job that an
 * event shows on its way out (an allocation told to stop, a registration removed) is a
 * suspect: the reader asks Nomad whether it still exists. Anything else gone is found at the
 * next list read (the router's resync).
 */
export class ClusterLists {
  readonly jobs: Map<string, JobListStub>;
  readonly allocations: Map<string, AllocationFacts>;
  readonly registrations: Map<string, ServiceInstance>;
  /** Jobs (namespace/job) that may have been purged since: ask Nomad. */
  readonly suspects = new Set<string>();

  constructor(
    lists: { readonly jobs: readonly JobListStub[]; readonly allocations: readonly AllocationFacts[]; readonly registrations: readonly ServiceRegistration[] },
    /** Where each allocation may be reached: events carry it, and it never changes. */
    private readonly endpoints?: Map<string, ReadonlySet<string>>,
  ) {
    this.jobs = new Map(lists.jobs.map((j) => [jobKey(j), j]));
    this.allocations = new Map(lists.allocations.map((a) => [a.ID, allocationFacts(a)]));
    this.registrations = new Map(lists.registrations.map((r) => [r.ID, instanceOf(r)]));
  }

  /** One event of the Job, Allocation or Service topic; one older than what is kept changes nothing. */
  apply(e: Pick<NomadEvent, 'Topic' | 'Type' | 'Payload'>): void {
    if (e.Topic === 'Job') {
      const job = (e.Payload as { Job?: Parameters<typeof jobStub>[0] }).Job;
      if (job?.ID) this.setJob(jobStub(job));
    } else if (e.Topic === 'Allocation') {
      const a = (e.Payload as { Allocation?: AllocationFacts & Pick<AllocationListStub, 'AllocatedResources'> }).Allocation;
      if (!a?.ID) return;
      const kept = this.allocations.get(a.ID);
      if (!kept || (a.ModifyIndex ?? 0) >= (kept.ModifyIndex ?? 0)) this.allocations.set(a.ID, allocationFacts(a));
      if (a.AllocatedResources && this.endpoints && !this.endpoints.has(a.ID)) this.endpoints.set(a.ID, new Set(allocatedEndpoints(a)));
      if (a.DesiredStatus !== 'run') this.suspects.add(jobKey({ Namespace: a.Namespace, ID: a.JobID }));
    } else if (e.Topic === 'Service') {
      applyServiceEvent(this.registrations, e);
      const r = (e.Payload as { Service?: ServiceRegistration }).Service;
      if (r?.ID && e.Type !== 'ServiceRegistration') this.suspects.add(jobKey({ Namespace: r.Namespace, ID: r.JobID }));
    }
  }

  /** A job as listed, read or written in an event, unless what is kept is newer. */
  setJob(stub: JobListStub): void {
    const kept = this.jobs.get(jobKey(stub));
    if (!kept || stub.ModifyIndex >= kept.ModifyIndex) this.jobs.set(jobKey(stub), stub);
  }

  /**
   * A job Nomad said is gone, read while `kept` was what was known of it: forgotten, with its
   * registrations, unless an event wrote it again meanwhile.
   */
  forgetJob(key: string, kept: JobListStub | undefined): void {
    if (this.jobs.get(key) !== kept) return;
    this.jobs.delete(key);
    for (const [id, i] of this.registrations) if (`${i.namespace}/${i.jobId}` === key) this.registrations.delete(id);
  }
}
