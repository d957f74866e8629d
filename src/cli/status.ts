import type { Command } from 'commander';
import type { CheckResult } from '../nomad/allocations.js';
import { jobStatus, statusLines } from '../operate/job-status.js';
import { ConsulClient } from '../consul/client.js';
import { consulConfig } from '../consul/config.js';
import { consulServiceNames } from '../jobspec/services.js';
import { consulChecks } from '../router/consul-services.js';
import { effectiveEnv } from './environment.js';
import { openJob } from './cluster-access.js';
import { NAMESPACE_OPTION } from './arguments.js';
import { paintFor, type Output } from './output.js';

export function registerStatus(program: Command, out: Output): void {
  program
    .command('status [job]')
    .description('a job\'s version, deployment, URLs and allocations (node, health, age, restarts); the job of this checkout\'s branch by default')
    .option(...NAMESPACE_OPTION)
    .option('--all', 'also list the stopped allocations of earlier versions')
    .option('--json', 'print the status as JSON')
    .action(async (arg: string | undefined, opts: { namespace?: string; all?: boolean; json?: boolean }) => {
      const { nomad, namespace, job } = await openJob(arg, opts);
      try {
        const [deployment, allocations, scale] = await Promise.all([
          nomad.jobs.latestDeployment(job.ID, namespace),
          nomad.jobs.allocations(job.ID, { namespace }),
          job.Type === 'service' ? nomad.jobs.scaleStatus(job.ID, namespace).catch(() => undefined) : undefined,
        ]);
        const checks = new Map<string, CheckResult[]>();
        await Promise.all(
          allocations
            .filter((a) => a.ClientStatus === 'running')
            .map(async (a) => checks.set(a.ID, Object.values(await nomad.allocations.checks(a.ID, namespace).catch(() => ({}))))),
        );
        // Checks of services that register in Consul are read there, when CONSUL_HTTP_ADDR says where.
        const inConsul = consulServiceNames(job);
        const consulAt = inConsul.length ? consulConfig(effectiveEnv()) : undefined;
        if (consulAt) {
          const consul = new ConsulClient(consulAt);
          try {
            for (const [alloc, results] of await consulChecks(consul, inConsul)) if (checks.has(alloc)) checks.set(alloc, [...checks.get(alloc)!, ...results]);
          } finally {
            consul.close();
          }
        }
        const status = jobStatus({ job, deployment, allocations, checks, all: opts.all, scale });
        const note = inConsul.length && !consulAt ? [`(the checks of ${inConsul.join(', ')} run in Consul: set CONSUL_HTTP_ADDR and CONSUL_HTTP_TOKEN to see them; health shown is the deployment's)`] : [];
        out.result(opts.json ? JSON.stringify(status, null, 2) : [...statusLines(status, { now: Date.now(), paint: paintFor() }), ...note].join('\n'));
      } finally {
        nomad.close();
      }
    });
}
