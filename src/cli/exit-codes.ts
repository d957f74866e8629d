import type { DeployOutcome } from '../deploy/deploy-error.js';

/** Documented in docs/deploy.md; scripts and CI rely on them. */
export const EXIT = {
  ok: 0,
  /** Something went wrong while doing the work, or a prerequisite is missing. */
  failure: 1,
  /** Bad input: a variable, file or flag; nothing was sent to a cluster. */
  usage: 2,
  /** The new version did not become healthy (Nomad rolls back when it can). */
  deployFailed: 3,
  /** Nomad cannot place the job: no node with the driver, not enough memory… */
  placementFailed: 4,
  /** The deploy did not end within --timeout. */
  timeout: 5,
  /** The job changed under this deploy (another deploy won the race). */
  conflict: 6,
  /** `nom plan` (`nom deploy --dry-run`): the deploy would change something. */
  wouldChange: 7,
} as const;

/** The exit code of each way a deploy can fail. */
export const DEPLOY_EXIT: Record<DeployOutcome, number> = {
  failed: EXIT.deployFailed,
  placement: EXIT.placementFailed,
  timeout: EXIT.timeout,
  conflict: EXIT.conflict,
};
