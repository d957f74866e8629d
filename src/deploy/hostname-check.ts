import { InputError } from '../errors.js';
import type { NomadJob } from '../jobspec/nomad-job.js';
import { servicesOf } from '../jobspec/services.js';
import type { NomadClient } from '../nomad/client.js';
import { readRecords, type HostnameRecord } from '../router/hostname-records.js';
import { routeClaim } from '../router/service-tags.js';

/** Every hostname a job's services claim, canary names included. Pure. */
export function claimedHosts(job: Pick<NomadJob, 'TaskGroups'>): string[] {
  const hosts = new Set<string>();
  for (const s of servicesOf(job)) for (const tag of [...(s.Tags ?? []), ...(s.CanaryTags ?? [])]) {
    const c = routeClaim(tag);
    if (c) hosts.add(c.host);
  }
  return [...hosts].sort();
}

/** The lines refusing hostnames another job owns, naming it; empty when the job may claim all of them. Pure. */
export function foreignClaims(job: Pick<NomadJob, 'ID' | 'Namespace'>, records: ReadonlyMap<string, HostnameRecord>): string[] {
  const me = `${job.Namespace}/${job.ID}`;
  return [...records.values()]
    .filter((r) => r.owner !== me)
    .map((r) => `NOMAD_VAR_HOSTNAMES: ${r.host} belongs to the job ${r.owner} (since ${r.since || 'before'}): choose another hostname, or have an operator release it (nom router release ${r.host})`);
}

/**
 * Before anything is written: the job claims no hostname that the cluster records as another
 * job's. Says so (and goes on; the router still refuses) when the token may not read the records.
 */
export async function checkHostnames(nomad: NomadClient, job: NomadJob, warn: (line: string) => void): Promise<void> {
  const records = await readRecords(nomad, claimedHosts(job));
  if (!records) return warn('cannot read the cluster\'s hostname records (the token lacks read on nom/hostnames/* in namespace default): the router refuses a hostname another job owns');
  const refused = foreignClaims(job, records);
  if (refused.length) throw new InputError(refused);
}
