import type { Secret } from '../secret.js';
import type { Variables } from '../nomad/variables.js';

export type SecretsChange = 'none' | 'unchanged' | 'stored' | 'removed';

/**
 * Makes the Nomad Variable at `path` hold exactly these secrets, with check-and-set so that a
 * concurrent writer is never overwritten blindly; keys no longer given are removed, and the
 * variable is deleted when none are left. Values are revealed only into the request body.
 */
export async function storeSecrets(vars: Variables, namespace: string, path: string, secrets: ReadonlyMap<string, Secret>): Promise<SecretsChange> {
  const desired = Object.fromEntries([...secrets].map(([k, v]) => [k, v.reveal()]));
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await vars.read(path, namespace);
    if (secrets.size === 0) {
      if (!current) return 'none';
      if (await vars.delete(path, namespace, current.ModifyIndex)) return 'removed';
      continue;
    }
    if (current && sameItems(current.Items, desired)) return 'unchanged';
    if (await vars.write(path, namespace, desired, current?.ModifyIndex ?? 0)) return 'stored';
  }
  throw new Error(`the Nomad Variable ${path} keeps changing under us (check-and-set failed 5 times): is another deploy writing it?`);
}

function sameItems(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}
