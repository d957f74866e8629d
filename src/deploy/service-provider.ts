import type { NomadClient } from '../nomad/client.js';
import { NomadError } from '../nomad/http.js';
import { RECORDS_NAMESPACE } from '../router/hostname-records.js';

export type ServiceProvider = 'nomad' | 'consul';

/**
 * The cluster's default service provider lives in the Nomad Variable `nom/cluster` of namespace
 * `default` (item `service_provider`): `nom up --consul` writes it, deploy tokens may only read it.
 */
export const CLUSTER_FACTS_PATH = 'nom/cluster';

/**
 * The provider a deploy uses when NOMAD_VAR_SERVICE_PROVIDER does not say: the cluster's, else
 * Nomad's own. A token that may not read it (a policy made by an earlier nom) gets Nomad's, and
 * `warn` says so.
 */
export async function clusterServiceProvider(nomad: NomadClient, warn: (line: string) => void): Promise<ServiceProvider> {
  try {
    const items = (await nomad.variables.read(CLUSTER_FACTS_PATH, RECORDS_NAMESPACE))?.Items;
    return items?.service_provider === 'consul' ? 'consul' : 'nomad';
  } catch (e) {
    if (!(e instanceof NomadError) || e.status !== 403) throw e;
    warn(`cannot read ${CLUSTER_FACTS_PATH} in namespace default (the token's policy predates it): registering services with Nomad unless NOMAD_VAR_SERVICE_PROVIDER says otherwise`);
    return 'nomad';
  }
}

/** Records the cluster's default provider (an operator's token); writes nothing when it is already so. */
export async function writeClusterServiceProvider(nomad: NomadClient, provider: ServiceProvider): Promise<void> {
  const current = await nomad.variables.read(CLUSTER_FACTS_PATH, RECORDS_NAMESPACE);
  if ((current?.Items.service_provider ?? 'nomad') === provider && current) return;
  await nomad.variables.write(CLUSTER_FACTS_PATH, RECORDS_NAMESPACE, { ...current?.Items, service_provider: provider }, current?.ModifyIndex ?? 0);
}
