import { InputError } from '../errors.js';

/** Where a job came from, as its meta records it (the house job sets these). */
export interface JobOrigin {
  readonly project: string;
  readonly branch: string;
  readonly environment: string | undefined;
}

export function originOf(job: { Meta?: Record<string, string> | null }): JobOrigin | undefined {
  const meta = job.Meta ?? {};
  return meta.nom_project && meta.nom_branch ? { project: meta.nom_project, branch: meta.nom_branch, environment: meta.nom_environment } : undefined;
}

/** The meta that says which CI run deployed a job, and who started it. */
const RUN_META = ['nom_run_url', 'nom_user'] as const;

/**
 * A job deployed again from the commit it runs keeps the run and user that first deployed that
 * commit: a re-run pipeline then changes nothing, and Nomad restarts nothing (a change of meta
 * would replace every allocation). A new commit brings its own. Pure.
 */
export function keepRunOfSameCommit<J extends { Meta?: Record<string, string> | null }>(job: J, current: { Meta?: Record<string, string> | null } | undefined): J {
  const theirs = current?.Meta;
  const ours = job.Meta;
  if (!theirs || !ours || theirs.nom_commit !== ours.nom_commit) return job;
  const meta = { ...ours };
  for (const key of RUN_META) {
    if (theirs[key] === undefined) delete meta[key];
    else meta[key] = theirs[key];
  }
  return { ...job, Meta: meta };
}

const describe = (o: JobOrigin) => `project ${o.project}, branch ${o.branch}${o.environment ? ` (${o.environment})` : ''}`;

/**
 * A pipeline acts only on jobs of its own project and branch: two names that slug alike
 * (`acme/shop` branch `api` and `acme/shop-api`) must not deploy over, or stop, each other. A
 * job without nom's record (registered by hand or by the system nom replaces) is taken over.
 * Pure; throws an InputError naming both.
 */
export function checkOrigin(jobId: string, existing: { Meta?: Record<string, string> | null } | undefined, ours: JobOrigin | undefined, action: 'deploy' | 'stop'): void {
  const theirs = existing ? originOf(existing) : undefined;
  if (!theirs || !ours) return;
  if (theirs.project === ours.project && theirs.branch === ours.branch) return;
  throw InputError.of(
    `job ${jobId} belongs to ${describe(theirs)}, not to this pipeline's ${describe(ours)}: nom will not ${action} it; ` +
      'the two names slug alike, so rename the branch or the project (or have an operator stop the other job)',
  );
}
