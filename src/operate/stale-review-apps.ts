import type { JobListStub } from '../nomad/jobs.js';

/** A review app `nom cleanup` stops, and how long ago it was last deployed. */
export interface StaleApp {
  readonly id: string;
  readonly namespace: string;
  readonly branch: string | undefined;
  readonly lastDeployed: string;
}

/**
 * The review apps (jobs nom deployed for a branch: `nom_environment=review`) whose last
 * registration is older than `olderThanMs`, and not already stopped. Main-like, production and
 * staging jobs, and jobs nom did not deploy, are never among them. Pure.
 */
export function staleReviewApps(jobs: readonly JobListStub[], now: number, olderThanMs: number): StaleApp[] {
  return jobs
    .filter((j) => j.Meta?.nom_environment === 'review' && !j.Stop && now - j.SubmitTime / 1e6 > olderThanMs)
    .sort((a, b) => a.SubmitTime - b.SubmitTime)
    .map((j) => ({ id: j.ID, namespace: j.Namespace, branch: j.Meta?.nom_branch, lastDeployed: new Date(j.SubmitTime / 1e6).toISOString() }));
}
