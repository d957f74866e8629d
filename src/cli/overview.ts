import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import type { Command } from 'commander';
import { onPath } from '../cluster/binaries.js';
import { tooOldNotes } from '../cluster/nomad-version.js';
import { nomHome, readLocalState } from '../cluster/local-layout.js';
import { NomadClient } from '../nomad/client.js';
import { nomadConfig } from '../nomad/config.js';
import { routedUrls, urlLines } from '../operate/cluster-urls.js';
import { jobUrls } from '../operate/job-status.js';
import { nodeLines, nodeRow } from '../operate/node-overview.js';
import { staleReviewApps } from '../operate/stale-review-apps.js';
import { ClusterReader, instanceHealth } from '../router/cluster-view.js';
import { routingTable } from '../router/routing-table.js';
import { secretsPath } from '../jobspec/templates.js';
import { NAMESPACE_OPTION, age } from './arguments.js';
import { effectiveEnv } from './environment.js';
import { openJob } from './job-target.js';
import { paintFor, type Output } from './output.js';
import { CommandError } from '../errors.js';

/** A client for the cluster of NOMAD_ADDR (or ~/.config/nomad), closed after `use`. */
async function withCluster<T>(use: (nomad: NomadClient, env: Record<string, string | undefined>) => Promise<T>): Promise<T> {
  const env = effectiveEnv();
  const nomad = new NomadClient(nomadConfig(env));
  try {
    return await use(nomad, env);
  } finally {
    nomad.close();
  }
}

/**
 * A routed URL as a browser reaches it: on the local cluster, Caddy listens on its own HTTPS
 * port (8443 by default), so the port is added.
 */
function reachable(url: string, nomadAddress: string): string {
  const state = readLocalState(nomHome(process.env, homedir()));
  const port = state?.address === nomadAddress ? state.ingress?.https.split(':').pop() : undefined;
  return port && port !== '443' && url.startsWith('https://') ? `${url.replace(/\/$/, '')}:${port}/` : url;
}

export function registerOverview(program: Command, out: Output): void {
  program
    .command('urls')
    .description('every routed URL in the cluster, its job, and how many of its instances are healthy')
    .option('--json', 'print the URLs as JSON')
    .action(async (opts: { json?: boolean }) =>
      withCluster(async (nomad) => {
        const view = await new ClusterReader(nomad).read();
        const health = new Map<string, boolean>();
        await Promise.all(view.instances.map(async (i) => health.set(i.allocId, (await instanceHealth(nomad, view, i.allocId, i.namespace)) ?? false)));
        const urls = routedUrls(routingTable({ jobs: view.jobs, instances: view.instances, healthy: (id) => health.get(id) ?? false }), view.instances);
        out.result(opts.json ? JSON.stringify(urls, null, 2) : urlLines(urls, paintFor()).join('\n'));
      }),
    );

  program
    .command('open [job]')
    .description('open the job\'s URL in a browser (and print it); the job of this checkout\'s branch by default')
    .option(...NAMESPACE_OPTION)
    .action(async (arg: string | undefined, opts: { namespace?: string }) => {
      const { nomad, job } = await openJob(arg, opts);
      nomad.close();
      const first = jobUrls(job).find((u) => !u.canary);
      if (!first) throw new CommandError(`job ${job.ID} has no routed URL: its services tag no https:// or http:// hostname`);
      const url = reachable(first.url, nomad.http.config.address);
      out.result(url);
      const opener = process.platform === 'darwin' ? 'open' : onPath('xdg-open', process.env);
      if (!opener || (process.platform !== 'darwin' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)) {
        out.say('(no browser to open here: the URL is above)');
        return;
      }
      spawn(opener, [url], { detached: true, stdio: 'ignore' }).on('error', () => out.say(`could not run ${opener}: the URL is above`)).unref();
    });

  program
    .command('nodes')
    .description('the cluster\'s nodes: status, drivers, and CPU and memory offered, allocated and used')
    .option('--json', 'print the nodes as JSON')
    .action(async (opts: { json?: boolean }) =>
      withCluster(async (nomad) => {
        const nodes = await nomad.nodes.list();
        const rows = await Promise.all(
          nodes.map(async (n) => nodeRow(n, await nomad.nodes.allocations(n.ID), n.Status === 'ready' ? await nomad.nodes.stats(n.ID).catch(() => undefined) : undefined)),
        );
        for (const note of tooOldNotes(rows.map((r) => ({ ...r, kind: 'node' as const })))) out.say(`warning: ${note}`);
        out.result(opts.json ? JSON.stringify(rows, null, 2) : nodeLines(rows, paintFor()).join('\n'));
      }),
    );

  program
    .command('cleanup')
    .description('stop review apps (branch deploys) not deployed for a while; never a main-like, production or staging job')
    .requiredOption('--older-than <age>', 'last deployed longer ago than this, like 30d or 12h', age)
    .option('--dry-run', 'list them, stop nothing')
    .option('--purge', 'also forget the jobs and delete their secrets')
    .option('-n, --namespace <namespace>', 'only this namespace (default: every namespace)')
    .action(async (opts: { olderThan: number; dryRun?: boolean; purge?: boolean; namespace?: string }) =>
      withCluster(async (nomad) => {
        const stale = staleReviewApps(await nomad.jobs.list({ namespace: opts.namespace ?? '*', meta: true }), Date.now(), opts.olderThan);
        if (!stale.length) return out.say('no review app is that old');
        for (const app of stale) {
          const line = `${app.namespace}/${app.id}${app.branch ? ` (branch ${app.branch})` : ''}, last deployed ${app.lastDeployed}`;
          if (opts.dryRun) {
            out.result(line);
            continue;
          }
          await nomad.jobs.deregister(app.id, { namespace: app.namespace, purge: Boolean(opts.purge) });
          if (opts.purge) await nomad.variables.delete(secretsPath(app.id), app.namespace);
          out.result(`${opts.purge ? 'purged' : 'stopped'} ${line}`);
        }
      }),
    );
}
