import type { Command } from 'commander';
import { CommandError } from '../errors.js';
import { SLEEP_META, wakeCounts } from '../router/sleep-policy.js';
import { NAMESPACE_OPTION } from './arguments.js';
import { openJob } from './cluster-access.js';
import type { Output } from './output.js';
import type { NomadClient } from '../nomad/client.js';

/** Deployment states in which Nomad refuses a scale. */
const ACTIVE = new Set(['running', 'pending', 'paused', 'initializing', 'blocked', 'unblocking']);

/** Waits for a deployment under way (a deploy, or a wake's scale-up) to end: Nomad scales no job in the middle of one. */
async function afterDeployment(nomad: NomadClient, id: string, namespace: string, out: Output): Promise<void> {
  for (let waited = 0; ; waited += 500) {
    const d = await nomad.jobs.latestDeployment(id, namespace);
    if (!d || !ACTIVE.has(d.Status)) return;
    if (waited === 0) out.say(`deployment ${d.ID.slice(0, 8)} of ${id} is ${d.Status}: waiting for it to end before the sleep`);
    if (waited >= 300_000) throw new CommandError(`deployment ${d.ID.slice(0, 8)} of ${id} is still ${d.Status} after 5 minutes: try again once it ends (nom status ${id})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * `nom sleep` and `nom wake`: what the router does by itself for idle apps, by hand. A job put to
 * sleep here is one the router wakes on its next request, as if it had slept by itself.
 */
export function registerSleep(program: Command, out: Output): void {
  program
    .command('sleep [job]')
    .description('scale a deployment to zero now; it keeps its hostnames, and the next request wakes it')
    .option(...NAMESPACE_OPTION)
    .action(async (arg: string | undefined, opts: { namespace?: string }) => {
      const { nomad, job: named } = await openJob(arg, opts);
      try {
        if (named.Type !== 'service') throw new CommandError(`${named.ID} is a ${named.Type} job: only services sleep`);
        await afterDeployment(nomad, named.ID, named.Namespace, out);
        // As it is after the deployment (the router may have put it to sleep meanwhile).
        const job = (await nomad.jobs.read(named.ID, named.Namespace)) ?? named;
        const awake = job.TaskGroups.filter((g) => (g.Count ?? 1) > 0);
        if (!awake.length) return out.result(`${job.ID} has no running count: ${wakeCounts(await nomad.jobs.scaleStatus(job.ID, job.Namespace)) ? 'asleep already' : 'scaled to zero, not by nom (nothing to wake it to)'}`);
        for (const g of awake) await nomad.jobs.scale(job.ID, job.Namespace, g.Name, 0, 'nom: put to sleep by hand', { [SLEEP_META]: 'true' });
        out.result(`${job.ID} is asleep (${awake.map((g) => `${g.Name} was ${g.Count ?? 1}`).join(', ')}): the next request wakes it, or nom wake ${job.ID}`);
      } finally {
        nomad.close();
      }
    });

  program
    .command('wake [job]')
    .description('wake a sleeping deployment: scale it back to its count before it slept')
    .option(...NAMESPACE_OPTION)
    .action(async (arg: string | undefined, opts: { namespace?: string }) => {
      const { nomad, job } = await openJob(arg, opts);
      try {
        const counts = wakeCounts(await nomad.jobs.scaleStatus(job.ID, job.Namespace));
        if (!counts) {
          const running = job.TaskGroups.some((g) => (g.Count ?? 1) > 0);
          throw new CommandError(running ? `${job.ID} is awake` : `${job.ID} is scaled to zero, but not by nom's sleep: deploy it to give it a count`);
        }
        for (const [group, count] of counts) await nomad.jobs.scale(job.ID, job.Namespace, group, count, 'nom: woken by hand', { nom_wake: 'true' });
        out.result(`${job.ID} is waking (${[...counts].map(([g, n]) => `${g} to ${n}`).join(', ')}): the router routes it once healthy`);
      } finally {
        nomad.close();
      }
    });
}
