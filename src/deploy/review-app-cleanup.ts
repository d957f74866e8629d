import type { NomadClient } from '../nomad/client.js';
import { staleReviewApps, type StaleApp } from '../operate/stale-review-apps.js';
import { deleteSecrets } from './secrets-store.js';

export interface CleanupOptions {
  /** Last deployed longer ago than this (ms). */
  readonly olderThanMs: number;
  /** One namespace; every namespace when undefined. */
  readonly namespace?: string | undefined;
  /** Also forget the jobs and delete their secrets, as for a deleted branch. */
  readonly purge: boolean;
  readonly dryRun?: boolean;
}

/**
 * Stops (or purges, secrets and all) the review apps not deployed for a while: `nom cleanup` by
 * hand, and the router's expiry on the cluster. Never a main-like, production or staging job.
 * Calls `done` for each app as it goes, so a failure half way still says what was done.
 */
export async function cleanupReviewApps(nomad: NomadClient, o: CleanupOptions, done: (app: StaleApp) => void, now = Date.now()): Promise<StaleApp[]> {
  const stale = staleReviewApps(await nomad.jobs.list({ namespace: o.namespace ?? '*', meta: true }), now, o.olderThanMs);
  if (o.dryRun) return stale;
  for (const app of stale) {
    await nomad.jobs.deregister(app.id, { namespace: app.namespace, purge: o.purge });
    if (o.purge) await deleteSecrets(nomad, app.id, app.namespace);
    done(app);
  }
  return stale;
}
