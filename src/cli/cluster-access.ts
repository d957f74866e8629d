import { checkoutJobName } from '../local/local-git.js';
import { CommandError } from '../errors.js';
import { appDirOf, readGitFacts } from '../local/git-facts.js';
import { NomadClient } from '../nomad/client.js';
import { nomadConfig } from '../nomad/config.js';
import type { RegisteredJob } from '../nomad/jobs.js';
import { effectiveEnv } from './environment.js';

/** The job an operator command is about, and a client for its cluster. */
export interface JobTarget {
  readonly nomad: NomadClient;
  readonly namespace: string;
  readonly job: RegisteredJob;
}

/** The job named on the command line, or else the one `nom deploy` gives this checkout's branch. */
export function jobName(arg: string | undefined, env: Record<string, string | undefined>, cwd = process.cwd()): { id: string; fromCheckout: boolean } {
  if (arg) return { id: arg, fromCheckout: false };
  return { id: checkoutJobName(readGitFacts(appDirOf(cwd), { dirty: false }), Boolean(env.CI_MAIN_STYLE)), fromCheckout: true };
}

/**
 * Connects to the cluster (NOMAD_* variables, else ~/.config/nomad) and reads the job; a job
 * that is not there is one clear line, with the names of jobs that look like it.
 */
export async function openJob(arg: string | undefined, opts: { namespace?: string | undefined }): Promise<JobTarget> {
  const env = effectiveEnv();
  const { id, fromCheckout } = jobName(arg, env);
  const namespace = opts.namespace ?? env.NOMAD_NAMESPACE ?? 'default';
  const nomad = new NomadClient(nomadConfig(env));
  try {
    const job = await nomad.jobs.read(id, namespace);
    if (job) return { nomad, namespace, job };
    const others = (await nomad.jobs.list({ namespace }).catch(() => [])).map((j) => j.ID);
    const alike = others.filter((o) => o.includes(id) || id.includes(o) || o.slice(0, 8) === id.slice(0, 8)).slice(0, 3);
    const why = fromCheckout ? ` (the job of this checkout's branch; name another with \`nom <command> <job>\`)` : '';
    const hint = alike.length ? `; similar: ${alike.join(', ')}` : others.length ? '' : '; the namespace has no jobs';
    throw new CommandError(`no job "${id}" in namespace "${namespace}" at ${nomad.http.config.address}${why}${hint}`);
  } catch (e) {
    nomad.close();
    throw e;
  }
}

/** A client for the cluster of NOMAD_ADDR (or ~/.config/nomad), closed after `use`. */
export async function withCluster<T>(use: (nomad: NomadClient, env: Record<string, string | undefined>) => Promise<T>): Promise<T> {
  const env = effectiveEnv();
  const nomad = new NomadClient(nomadConfig(env));
  try {
    return await use(nomad, env);
  } finally {
    nomad.close();
  }
}
