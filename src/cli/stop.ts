import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { deleteSecrets } from '../deploy/secrets-store.js';
import { NomadClient } from '../nomad/client.js';
import { nomadConfig } from '../nomad/config.js';
import { deployLog } from './deploy-log.js';
import { checkOrigin, originOf, type JobOrigin } from '../deploy/job-origin.js';
import { deployConfiguration } from './deploy-configuration.js';
import { effectiveEnv, inCi } from './environment.js';
import type { Output } from './output.js';

export function registerStop(program: Command, _out: Output): void {
  program
    .command('stop [job]')
    .description('stop a deployment (in CI, the one this pipeline deploys); --purge also forgets it and deletes its secrets')
    .option('--purge', 'remove the job from Nomad entirely and delete its secrets variable')
    .option('-n, --namespace <namespace>', 'the job\'s namespace (default: NOMAD_NAMESPACE, or the pipeline\'s)')
    .action(async (jobArg: string | undefined, opts: { purge?: boolean; namespace?: string }) => {
      const log = deployLog();
      const env = effectiveEnv();
      let job = jobArg;
      // In CI, the pipeline's own project and branch: it stops nothing else.
      let origin: JobOrigin | undefined;
      let config = nomadConfig({ ...env, ...(opts.namespace ? { NOMAD_NAMESPACE: opts.namespace } : {}) });
      if (!job) {
        if (!inCi(env)) throw InputError.of('name the job to stop: nom stop <job> (outside CI there is no pipeline to take it from)');
        // The job this pipeline deploys, on the cluster and with the token its deploy uses.
        const deployed = deployConfiguration(env, { purpose: 'stop', cwd: process.cwd() });
        if (deployed.noDeploy) return;
        job = deployed.rendered.job.ID;
        origin = originOf(deployed.rendered.job);
        config = { ...deployed.nomad, namespace: opts.namespace ?? deployed.nomad.namespace };
      }
      const namespace = config.namespace ?? 'default';
      const nomad = new NomadClient(config);
      try {
        const existing = await nomad.jobs.read(job, namespace);
        checkOrigin(job, existing, origin, 'stop');
        if (!existing) {
          log.info(`job ${job} is not in namespace ${namespace}: nothing to stop`);
        } else {
          // Followed by ID: a purged job's allocation list is gone at once, its containers are not.
          const live = (a: { ClientStatus: string }) => a.ClientStatus === 'running' || a.ClientStatus === 'pending';
          let running = (await nomad.jobs.allocations(job, { namespace })).filter(live).map((a) => a.ID);
          await nomad.jobs.deregister(job, { namespace, purge: Boolean(opts.purge) });
          log.info(`stopping ${job}…`);
          for (let i = 0; i < 120 && running.length; i++) {
            log.progress(`${running.length} allocation(s) still running`);
            await new Promise((r) => setTimeout(r, 500));
            const now = await Promise.all(running.map((id) => nomad.allocations.read(id, { namespace }).then(live, () => false)));
            running = running.filter((_, k) => now[k]);
          }
          log.done();
          log.info(`stopped ${job}${opts.purge ? ' and purged it' : ''}`);
        }
        if (opts.purge) {
          const deleted = await deleteSecrets(nomad, job, namespace);
          if (deleted.length) log.info(`deleted the secrets and deploy state in ${deleted.join(', ')}`);
        }
      } finally {
        log.done();
        nomad.close();
      }
    });
}
