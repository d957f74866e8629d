/**
 * What the console knows of the cluster, as the token sees it: jobs, their last deployments and
 * their allocations, kept up to date by Nomad's event stream. Pure: `applyEvent` returns a new
 * state, so the page re-renders only what changed.
 */

/** A job as the overview needs it (Nomad's job list stub, or the job of a Job event). */
export interface JobRow {
  readonly ID: string;
  readonly Namespace: string;
  readonly Type: string;
  readonly Status: string;
  readonly Stop: boolean;
  /** Nanoseconds since the epoch: the last registration. */
  readonly SubmitTime: number;
  readonly Meta?: Record<string, string> | null;
  /** Known from a Job event; the list does not carry it. */
  readonly Version?: number;
  /** Nomad's index of its last change: the event stream is followed from past the newest. */
  readonly ModifyIndex?: number;
}

export interface DeploymentRow {
  readonly ID: string;
  readonly Namespace: string;
  readonly JobID: string;
  readonly JobVersion: number;
  readonly Status: string;
  readonly StatusDescription: string;
  readonly TaskGroups: Record<string, { DesiredTotal: number; DesiredCanaries: number; HealthyAllocs: number; UnhealthyAllocs: number; PlacedCanaries?: string[] | null; Promoted: boolean }>;
  readonly CreateIndex: number;
  readonly ModifyIndex?: number;
}

export interface AllocationRow {
  readonly ID: string;
  readonly Namespace: string;
  readonly JobID: string;
  readonly JobVersion: number;
  readonly TaskGroup: string;
  readonly NodeID: string;
  readonly NodeName?: string;
  readonly ClientStatus: string;
  readonly DesiredStatus: string;
  readonly DeploymentStatus?: { Healthy?: boolean | null; Canary?: boolean } | null;
  readonly TaskStates?: Record<string, { State: string; Failed: boolean; Restarts: number; StartedAt?: string | null }> | null;
  /** Nanoseconds since the epoch. */
  readonly CreateTime: number;
  readonly ModifyTime: number;
  readonly ModifyIndex?: number;
}

export interface ClusterState {
  /** By namespace/job. */
  readonly jobs: ReadonlyMap<string, JobRow>;
  /** The newest deployment of each job, by namespace/job. */
  readonly deployments: ReadonlyMap<string, DeploymentRow>;
  /** By allocation ID. */
  readonly allocations: ReadonlyMap<string, AllocationRow>;
  /** The event stream's index this state includes. */
  readonly index: number;
}

export const jobKey = (namespace: string, id: string) => `${namespace}/${id}`;

/** The state from the first reads: newest deployment per job. */
export function initialState(jobs: readonly JobRow[], deployments: readonly DeploymentRow[], allocations: readonly AllocationRow[], index: number): ClusterState {
  const newest = new Map<string, DeploymentRow>();
  for (const d of deployments) {
    const key = jobKey(d.Namespace, d.JobID);
    const known = newest.get(key);
    if (!known || known.CreateIndex < d.CreateIndex) newest.set(key, d);
  }
  return {
    jobs: new Map(jobs.map((j) => [jobKey(j.Namespace, j.ID), pickJob(j)])),
    deployments: newest,
    allocations: new Map(allocations.map((a) => [a.ID, a])),
    index,
  };
}

/** One event of Nomad's stream (/v1/event/stream), as far as the console reads it. */
export interface NomadEvent {
  readonly Topic: string;
  readonly Type: string;
  readonly Key: string;
  readonly Namespace: string;
  readonly Index: number;
  readonly Payload: { Job?: JobRow; Deployment?: DeploymentRow; Allocation?: AllocationRow };
}

/** The state after `events` (one frame of the stream). A job purged from Nomad leaves, with its allocations. */
export function applyEvents(state: ClusterState, events: readonly NomadEvent[]): ClusterState {
  let { jobs, deployments, allocations } = state;
  let index = state.index;
  for (const e of events) {
    index = Math.max(index, e.Index);
    if (e.Topic === 'Job' && e.Payload.Job) {
      const job = e.Payload.Job;
      const key = jobKey(job.Namespace, job.ID);
      // Stopped or purged, the event looks the same (the job, stopped): the page asks Nomad
      // whether it still has the job, and `withoutJob` lets a purged one go.
      jobs = new Map(jobs).set(key, pickJob(e.Type === 'JobDeregistered' ? { ...job, Stop: true } : job));
    } else if (e.Topic === 'Deployment' && e.Payload.Deployment) {
      const d = e.Payload.Deployment;
      const key = jobKey(d.Namespace, d.JobID);
      const known = deployments.get(key);
      if (!known || known.CreateIndex <= d.CreateIndex) deployments = new Map(deployments).set(key, d);
    } else if (e.Topic === 'Allocation' && e.Payload.Allocation) {
      const a = e.Payload.Allocation;
      allocations = new Map(allocations).set(a.ID, pickAllocation(a));
    }
  }
  return { jobs, deployments, allocations, index };
}

/** The state without a job that Nomad no longer has (purged), nor its allocations. */
export function withoutJob(state: ClusterState, key: string): ClusterState {
  if (!state.jobs.has(key)) return state;
  const jobs = new Map(state.jobs);
  jobs.delete(key);
  const deployments = new Map(state.deployments);
  deployments.delete(key);
  const allocations = new Map([...state.allocations].filter(([, a]) => jobKey(a.Namespace, a.JobID) !== key));
  return { ...state, jobs, deployments, allocations };
}

/** Only the fields the page shows: a Job event carries the whole spec. */
function pickJob(j: JobRow): JobRow {
  return { ID: j.ID, Namespace: j.Namespace, Type: j.Type, Status: j.Status, Stop: j.Stop, SubmitTime: j.SubmitTime, Meta: j.Meta ?? null, ...(j.Version !== undefined ? { Version: j.Version } : {}) };
}

function pickAllocation(a: AllocationRow): AllocationRow {
  const { ID, Namespace, JobID, JobVersion, TaskGroup, NodeID, NodeName, ClientStatus, DesiredStatus, DeploymentStatus, CreateTime, ModifyTime } = a;
  const TaskStates = a.TaskStates && Object.fromEntries(Object.entries(a.TaskStates).map(([t, s]) => [t, { State: s.State, Failed: s.Failed, Restarts: s.Restarts, StartedAt: s.StartedAt ?? null }]));
  return { ID, Namespace, JobID, JobVersion, TaskGroup, NodeID, ...(NodeName ? { NodeName } : {}), ClientStatus, DesiredStatus, DeploymentStatus: DeploymentStatus ?? null, TaskStates: TaskStates ?? null, CreateTime, ModifyTime };
}
