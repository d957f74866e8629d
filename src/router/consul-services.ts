import type { HealthCheck, ServiceEntry } from '../consul/client.js';
import type { ConsulClient } from '../consul/client.js';
import type { CheckResult } from '../nomad/allocations.js';
import type { AllocationListStub } from '../nomad/jobs.js';
import type { ServiceInstance } from './routing-table.js';
import { routeClaim } from './service-tags.js';

/**
 * Nomad registers each service of an allocation in Consul under an ID that carries the
 * allocation's: `_nomad-task-<alloc>-<task>-<service>-<port>` (a group's service: `…-group-<group>-…`).
 * Pure.
 */
export function allocationOfService(serviceId: string): string | undefined {
  return /^_nomad-task-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-/.exec(serviceId)?.[1];
}

/**
 * Consul's registrations as the router's instances: each belongs to the Nomad job of its
 * allocation (so ownership works as for Nomad's own services, whatever the service's name), is
 * healthy when its allocation runs and every check (its own and its node's) passes, and counts
 * from its allocation's creation (Nomad's index, comparable with the other claims). A check
 * that has not run yet (no output: Consul restarted, or Nomad registered it again) leaves an
 * instance the health it had in `previous`, so a restarted Consul does not take every route
 * down until its checks run; a new instance is healthy only once its checks pass. (Consul
 * sets a check's status and output together when it runs it; a restarted Consul, or Nomad
 * registering the check again, resets the status to critical and may leave the last output,
 * so "critical" with an output that says the check succeeded has not run since.) A
 * registration that Nomad did not make, or whose allocation Nomad does not list, is left out: no
 * job stands behind it. Pure.
 */
export function consulInstances(entries: readonly ServiceEntry[], allocations: ReadonlyMap<string, Pick<AllocationListStub, 'ID' | 'Namespace' | 'JobID' | 'CreateIndex' | 'ClientStatus'>>, previous: ReadonlyMap<string, boolean> = new Map()): ServiceInstance[] {
  const instances: ServiceInstance[] = [];
  for (const e of entries) {
    const allocId = allocationOfService(e.Service.ID);
    const alloc = allocId && allocations.get(allocId);
    if (!alloc) continue;
    const failing = e.Checks.filter((c) => c.Status !== 'passing');
    const notRunYet = failing.length > 0 && failing.every((c) => c.Status === 'critical' && !ranSinceReset(c));
    const checked = failing.length === 0 || (notRunYet && previous.get(e.Service.ID) === true);
    const first = failing[0];
    instances.push({
      namespace: alloc.Namespace,
      jobId: alloc.JobID,
      serviceName: e.Service.Service,
      allocId: alloc.ID,
      address: e.Service.Address || e.Node.Address,
      port: e.Service.Port,
      tags: e.Service.Tags ?? [],
      createIndex: alloc.CreateIndex ?? 0,
      healthy: alloc.ClientStatus === 'running' && checked,
      consulId: e.Service.ID,
      ...(!checked && first ? { failing: `check ${JSON.stringify(first.Name)} (${first.CheckID}) ${first.Status}${first.Output.trim() ? `: ${first.Output.trim().split('\n')[0]!.slice(0, 200)}` : ', not run yet'}` } : {}),
    });
  }
  return instances;
}

/**
 * Whether a critical check's output is its own: empty, or one of success (an HTTP 2xx, a TCP
 * connect that succeeded), it is what Consul left from before it reset the status. Pure.
 */
function ranSinceReset(c: HealthCheck): boolean {
  const output = c.Output.trim();
  if (!output) return false;
  return !/^HTTP (GET|HEAD|POST|PUT|OPTIONS) \S+: 2\d\d |^TCP connect \S+: Success$/.test(output);
}

/** Consul's checks of Nomad's allocations, by allocation, in the shape of Nomad's own check results. Pure. */
export function consulCheckResults(entries: readonly ServiceEntry[]): Map<string, CheckResult[]> {
  const byAlloc = new Map<string, CheckResult[]>();
  for (const e of entries) {
    const allocId = allocationOfService(e.Service.ID);
    if (!allocId) continue;
    const results = byAlloc.get(allocId) ?? [];
    for (const c of e.Checks.filter((c) => c.ServiceID === e.Service.ID)) results.push(checkResult(c, e.Service.Service));
    byAlloc.set(allocId, results);
  }
  return byAlloc;
}

const STATUS: Record<HealthCheck['Status'], CheckResult['Status']> = { passing: 'success', warning: 'pending', critical: 'failure', maintenance: 'pending' };

function checkResult(c: HealthCheck, service: string): CheckResult {
  return { ID: c.CheckID, Check: c.Name.replace(/^service: "[^"]*" check$/, 'check'), Group: '', Mode: 'healthiness', Output: c.Output, Service: service, Status: STATUS[c.Status], StatusCode: 0, Timestamp: 0 };
}

/** The names whose tags claim a hostname (only these are read per instance), from Consul's service list. Pure. */
export function routedServiceNames(services: Readonly<Record<string, readonly string[]>>): string[] {
  return Object.entries(services).filter(([, tags]) => tags.some((t) => routeClaim(t))).map(([name]) => name).sort();
}

/** Every instance of `names`, with its checks. */
export async function serviceEntries(consul: ConsulClient, names: readonly string[]): Promise<ServiceEntry[]> {
  return (await Promise.all(names.map(async (name) => (await consul.health.service(name)).value))).flat();
}

/** The checks of `names` in Consul, by allocation, in the shape of Nomad's own check results. */
export async function consulChecks(consul: ConsulClient, names: readonly string[]): Promise<Map<string, CheckResult[]>> {
  return consulCheckResults(await serviceEntries(consul, names));
}
