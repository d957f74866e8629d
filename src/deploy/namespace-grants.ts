import { grantsFromItems, grantsToItems, type NamespaceGrants } from '../jobspec/container-rules.js';
import type { NomadClient } from '../nomad/client.js';
import { NomadError } from '../nomad/http.js';
import { RECORDS_NAMESPACE } from '../router/hostname-records.js';

/**
 * The grants of each namespace live in the Nomad Variable `nom/grants/<namespace>` of namespace
 * `default`: operators write them (`nom grants`), deploy tokens may only read them.
 */
export const grantsPath = (namespace: string) => `nom/grants/${namespace}`;

/** A namespace's grants; none when it has none, or when the token may not read them (then `warn` says so). */
export async function readGrants(nomad: NomadClient, namespace: string, warn: (line: string) => void): Promise<NamespaceGrants> {
  try {
    return grantsFromItems((await nomad.variables.read(grantsPath(namespace), RECORDS_NAMESPACE))?.Items);
  } catch (e) {
    if (!(e instanceof NomadError) || e.status !== 403) throw e;
    warn(`cannot read the grants of namespace ${namespace} (the token lacks read on nom/grants/* in namespace default): deploying as if it had none`);
    return grantsFromItems(undefined);
  }
}

/** Writes a namespace's grants (an operator's token). */
export async function writeGrants(nomad: NomadClient, namespace: string, grants: NamespaceGrants): Promise<void> {
  const current = await nomad.variables.read(grantsPath(namespace), RECORDS_NAMESPACE);
  const written = await nomad.variables.write(grantsPath(namespace), RECORDS_NAMESPACE, grantsToItems(grants), current?.ModifyIndex ?? 0);
  if (!written) throw new Error(`the grants of namespace ${namespace} changed while writing them: run again`);
}
