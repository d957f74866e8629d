import { readGrants } from '../deploy/namespace-grants.js';
import type { NomadClient } from '../nomad/client.js';
import { NomadError } from '../nomad/http.js';
import { deployPolicy, deployPolicyName } from './remote/deploy-policy.js';
import type { ACLPolicy } from '../nomad/acl.js';

/**
 * A namespace made ready for deploys from CI (with an operator's token): the namespace, and its
 * `deploy-<namespace>` policy written from what the namespace is granted, so Nomad itself
 * refuses a host volume the grants do not name. Run again whenever the grants change.
 */
export async function ensureDeployAccess(nomad: NomadClient, namespace: string, say: (line: string) => void): Promise<ACLPolicy> {
  if (namespace !== 'default' && !(await nomad.namespaces.read(namespace))) {
    await nomad.namespaces.upsert(namespace, 'deployments from CI (nom)');
    say(`created the namespace ${namespace}`);
  }
  const policy = deployPolicy(namespace, await readGrants(nomad, namespace, say));
  await nomad.acl.upsertPolicy(policy);
  return policy;
}

/** After the grants changed: the namespace's policy follows them, when it has one. */
export async function refreshDeployPolicy(nomad: NomadClient, namespace: string, say: (line: string) => void): Promise<boolean> {
  try {
    await nomad.acl.policy(deployPolicyName(namespace));
  } catch (e) {
    if (e instanceof NomadError && e.status === 404) return false;
    throw e;
  }
  await ensureDeployAccess(nomad, namespace, say);
  return true;
}
