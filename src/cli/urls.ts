import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import type { Command } from 'commander';
import { onPath } from '../cluster/binaries.js';
import { nomHome, readLocalState } from '../cluster/local-layout.js';
import { routedUrls, urlLines } from '../operate/cluster-urls.js';
import { jobUrls } from '../operate/job-status.js';
import { ClusterReader, instanceHealth } from '../router/cluster-view.js';
import { routingTable } from '../router/routing-table.js';
import { ConsulClient } from '../consul/client.js';
import { consulConfig } from '../consul/config.js';
import { effectiveEnv } from './environment.js';
import { NAMESPACE_OPTION } from './arguments.js';
import { openJob } from './cluster-access.js';
import { paintFor, type Output } from './output.js';
import { CommandError } from '../errors.js';
import { withCluster } from './cluster-access.js';

/**
 * A routed URL as a browser reaches it: on the local cluster, Caddy listens on its own HTTPS
 * port (8443 by default), so the port is added.
 */
function reachable(url: string, nomadAddress: string): string {
  const state = readLocalState(nomHome(process.env, homedir()));
  const port = state?.address === nomadAddress ? state.ingress?.https.split(':').pop() : undefined;
  return port && port !== '443' && url.startsWith('https://') ? `${url.replace(/\/$/, '')}:${port}/` : url;
}


/** `nom urls` and `nom open`: the cluster's routed URLs, and a job's in a browser. */
export function registerUrls(program: Command, out: Output): void {
  program
    .command('urls')
    .description('every routed URL in the cluster, its job, and how many of its instances are healthy')
    .option('--json', 'print the URLs as JSON')
    .action(async (opts: { json?: boolean }) =>
      withCluster(async (nomad) => {
        const consulAt = consulConfig(effectiveEnv());
        const consul = consulAt && new ConsulClient(consulAt);
        const view = await new ClusterReader(nomad, consul).read().finally(() => consul?.close());
        if (view.consul && !view.consul.ok) out.warn(`cannot read Consul (${view.consul.error}): the URLs of services registered there are not listed`);
        const health = new Map<string, boolean>();
        await Promise.all(view.instances.filter((i) => i.healthy === undefined).map(async (i) => health.set(i.allocId, (await instanceHealth(nomad, view, i.allocId, i.namespace)) ?? false)));
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
}
