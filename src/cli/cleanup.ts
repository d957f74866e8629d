import type { Command } from 'commander';
import type { StaleApp } from '../operate/stale-review-apps.js';
import { cleanupReviewApps } from '../deploy/review-app-cleanup.js';
import { age } from './arguments.js';
import { type Output } from './output.js';
import { withCluster } from './cluster-access.js';

/** `nom cleanup`: stop (or purge) review apps not deployed for a while. */
export function registerCleanup(program: Command, out: Output): void {
  program
    .command('cleanup')
    .description('stop review apps (branch deploys) not deployed for a while; never a main-like, production or staging job')
    .requiredOption('--older-than <age>', 'last deployed longer ago than this, like 30d or 12h', age)
    .option('--dry-run', 'list them, stop nothing')
    .option('--purge', 'also forget the jobs and delete their secrets')
    .option('-n, --namespace <namespace>', 'only this namespace (default: every namespace)')
    .action(async (opts: { olderThan: number; dryRun?: boolean; purge?: boolean; namespace?: string }) =>
      withCluster(async (nomad) => {
        const line = (app: StaleApp) => `${app.namespace}/${app.id}${app.branch ? ` (branch ${app.branch})` : ''}, last deployed ${app.lastDeployed}`;
        const options = { olderThanMs: opts.olderThan, namespace: opts.namespace, purge: Boolean(opts.purge), dryRun: opts.dryRun };
        const stale = await cleanupReviewApps(nomad, options, (app) => out.result(`${opts.purge ? 'purged' : 'stopped'} ${line(app)}`));
        if (!stale.length) return out.say('no review app is that old');
        if (opts.dryRun) for (const app of stale) out.result(line(app));
      }),
    );
}
