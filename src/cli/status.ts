import type { Command } from 'commander';
import type { CheckResult } from '../nomad/allocations.js';
import { jobStatus, statusLines } from '../operate/job-status.js';
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
        const [deployment, allocations] = await Promise.all([nomad.jobs.latestDeployment(job.ID, namespace), nomad.jobs.allocations(job.ID, { namespace })]);
        const checks = new Map<string, CheckResult[]>();
        await Promise.all(
          allocations
            .filter((a) => a.ClientStatus === 'running')
            .map(async (a) => checks.set(a.ID, Object.values(await nomad.allocations.checks(a.ID, namespace).catch(() => ({}))))),
        );
        const status = jobStatus({ job, deployment, allocations, checks, all: opts.all });
        out.result(opts.json ? JSON.stringify(status, null, 2) : statusLines(status, { now: Date.now(), paint: paintFor() }).join('\n'));
      } finally {
        nomad.close();
      }
    });
}
