import type { Command } from 'commander';
import type { DeployResult } from '../deploy/deploy.js';
import type { DeployLog } from '../deploy/log.js';
import { resubmit, revert } from '../deploy/redeploy.js';
import { jobUrls } from '../operate/job-status.js';
import { historyLines, rollbackTarget, versionRows } from '../operate/versions.js';
import { duration, NAMESPACE_OPTION, wholeNumber } from './arguments.js';
import { deployLog } from './deploy-log.js';
import { openJob } from './cluster-access.js';
import { paintFor, type Output } from './output.js';

const version = wholeNumber('a version number, as `nom history` lists them');

export function registerVersions(program: Command, out: Output): void {
  program
    .command('history [job]')
    .description('a job\'s versions, newest first: when, stable or not, the image and commit each ran')
    .option(...NAMESPACE_OPTION)
    .option('--json', 'print the versions as JSON')
    .action(async (arg: string | undefined, opts: { namespace?: string; json?: boolean }) => {
      const { nomad, job } = await openJob(arg, opts);
      try {
        const rows = versionRows(await nomad.jobs.versions(job.ID, job.Namespace), job.Version);
        out.result(opts.json ? JSON.stringify(rows, null, 2) : historyLines(rows, { now: Date.now(), paint: paintFor() }).join('\n'));
      } finally {
        nomad.close();
      }
    });

  program
    .command('rollback [job] [version]')
    .description('go back to a version (default: the newest earlier stable one that runs something else) and wait until it serves, as a deploy does')
    .option('--timeout <duration>', 'give up after this long (default: the job\'s own deadlines plus a margin)', duration)
    .option(...NAMESPACE_OPTION)
    .action(async (arg: string | undefined, asked: string | undefined, opts: { namespace?: string; timeout?: number }) => {
      // `nom rollback 3` in a checkout: a number alone is the version, the job is the checkout's.
      const [jobArg, versionArg] = asked === undefined && arg !== undefined && /^\d+$/.test(arg) ? [undefined, arg] : [arg, asked];
      const { nomad, job } = await openJob(jobArg, opts);
      try {
        const target = rollbackTarget(await nomad.jobs.versions(job.ID, job.Namespace), job, versionArg === undefined ? undefined : version(versionArg));
        await report(out, job.ID, (log) => revert(nomad, job, target.Version, log, opts.timeout), jobUrls(target));
      } finally {
        nomad.close();
      }
    });

  program
    .command('resubmit [job]')
    .description('register the job\'s current spec again (a stopped, dead or stuck job runs again) and wait as a deploy does')
    .option('--timeout <duration>', 'give up after this long (default: the job\'s own deadlines plus a margin)', duration)
    .option(...NAMESPACE_OPTION)
    .action(async (arg: string | undefined, opts: { namespace?: string; timeout?: number }) => {
      const { nomad, job } = await openJob(arg, opts);
      try {
        await report(out, job.ID, (log) => resubmit(nomad, job, log, opts.timeout), jobUrls(job));
      } finally {
        nomad.close();
      }
    });
}

/** Runs a rollout and says how it ended, as `nom deploy` does: the URLs on stdout. */
async function report(out: Output, id: string, run: (log: DeployLog) => Promise<DeployResult>, urls: readonly { url: string; canary: boolean }[]): Promise<void> {
  const log = deployLog();
  try {
    const done = await run(log);
    log.done();
    log.info(`${id} serves version ${done.version ?? '(periodic: on its schedule)'}`);
    for (const instance of done.instances) log.info(`instance ${instance}`);
    for (const u of urls) if (!u.canary) out.result(u.url);
  } finally {
    log.done();
  }
}
