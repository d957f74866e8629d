import { homedir, hostname } from 'node:os';
import type { Command } from 'commander';
import { nomHome, readLocalState } from '../cluster/local-layout.js';
import { NomadClient } from '../nomad/client.js';
import { nomadConfig } from '../nomad/config.js';
import { CaddyAdmin } from '../router/caddy-admin.js';
import { ConsulClient } from '../consul/client.js';
import { consulConfig } from '../consul/config.js';
import { HostnameRecords, RECORDS_NAMESPACE, recordPath } from '../router/hostname-records.js';
import { readRouterConfig } from '../router/router-config.js';
import { Router, serveStatus, type RouterStatus } from '../router/router.js';
import { withCluster } from './cluster-access.js';
import { effectiveEnv } from './environment.js';
import type { Output } from './output.js';
import { CommandError, InputError } from '../errors.js';
import { consoleRoot, jobsVisibleTo } from './console.js';
import { serveWake } from '../router/wake-server.js';
import { sleepDefaults } from '../router/sleep-policy.js';
import { cleanupReviewApps } from '../deploy/review-app-cleanup.js';

/** How often the router looks for review apps past their expiry. */
const EXPIRY_EVERY_MS = 10 * 60_000;

/**
 * The cluster side of review-app expiry: every ten minutes, review apps not deployed for
 * `olderThanMs` are purged with their secrets, as for a deleted branch (GitLab's auto_stop_in
 * does the same from the pipeline). It needs a token that may stop jobs: NOM_JANITOR_TOKEN, else
 * the router's own; without one it says so once and leaves it to `nom cleanup`.
 */
function expireReviewApps(nomad: NomadClient, olderThanMs: number, log: { info(l: string): void; warn(l: string): void }): NodeJS.Timeout {
  const env = effectiveEnv();
  const janitor = env.NOM_JANITOR_TOKEN ? new NomadClient({ ...nomad.http.config, token: env.NOM_JANITOR_TOKEN }) : nomad;
  const period = `${Math.round(olderThanMs / 3_600_000)}h`;
  let problem: string | undefined;
  const round = () =>
    cleanupReviewApps(janitor, { olderThanMs, purge: true }, (app) => log.info(`${app.namespace}/${app.id}${app.branch ? ` (branch ${app.branch})` : ''} expired: not deployed for ${period} (last ${app.lastDeployed}); purged with its secrets`)).then(
      () => void (problem = undefined),
      (e: Error) => {
        if (problem !== e.message) log.warn(`cannot expire review apps (${e.message}): give the router NOM_JANITOR_TOKEN, or run nom cleanup --older-than ${period} --purge`);
        problem = e.message;
      },
    );
  setTimeout(round, 60_000).unref();
  return setInterval(round, EXPIRY_EVERY_MS).unref();
}

export function registerRouter(program: Command, out: Output): void {
  const router = program
    .command('router')
    .description('route HTTPS to Nomad services through Caddy (a daemon; nom up starts one for the local cluster)')
    .option('--config <file>', 'router configuration: Caddy\'s admin address, listeners, TLS mode…')
    .action(async (opts: { config?: string }) => {
      if (!opts.config) throw InputError.of('nom router needs --config <file> (nom up writes one for the local cluster)');
      const config = readRouterConfig(opts.config);
      const stamp = (line: string) => `${new Date().toISOString()} ${line}`;
      const log = { info: (l: string) => out.say(stamp(l)), warn: (l: string) => out.say(stamp(`warning: ${l}`)) };
      const nomad = new NomadClient(nomadConfig(effectiveEnv()));
      // Consul: the address from the configuration, the token from CONSUL_HTTP_TOKEN (never in a file).
      const consulAt = config.consul ? consulConfig({ ...effectiveEnv(), CONSUL_HTTP_ADDR: config.consul.address }) : undefined;
      const consul = consulAt && new ConsulClient(consulAt);
      const ingress = config.ingress.console && !config.ingress.console.root ? { ...config.ingress, console: { ...config.ingress.console, root: consoleRoot() } } : config.ingress;
      let sleep;
      try {
        sleep = sleepDefaults(config.sleep);
      } catch (e) {
        throw InputError.of(`--config ${opts.config}: ${(e as Error).message}`);
      }
      const daemon = new Router(nomad, new CaddyAdmin(config.caddyAdmin), ingress, log, { consul, sleep, name: hostname() });
      // The console's visitors are asked about with their own token, at the router's Nomad.
      const server = serveStatus(daemon, config.statusPort, (token) => jobsVisibleTo(nomad.http.config, token));
      const waker = config.ingress.wakePort ? serveWake(daemon, config.ingress.wakePort, log) : undefined;
      const servers = [['status endpoint', server, config.statusPort], ...(waker ? [['wake listener', waker, config.ingress.wakePort!] as const] : [])] as const;
      for (const [what, s, port] of servers) {
        s.once('error', (e: Error) => {
          log.warn(`cannot serve the router's ${what} on 127.0.0.1:${port} (${e.message}); stopping`);
          process.exitCode = 1;
          stop();
        });
      }
      const stop = () => {
        log.info('stopping');
        daemon.stop();
        server.close();
        waker?.close();
        waker?.closeAllConnections();
        nomad.close();
        consul?.close();
      };
      const janitor = sleep.expireReviewAppsMs === undefined ? undefined : expireReviewApps(nomad, sleep.expireReviewAppsMs, log);
      process.once('SIGTERM', () => clearInterval(janitor));
      process.once('SIGINT', () => clearInterval(janitor));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      log.info(`following Nomad at ${nomad.http.config.address}${consul ? ` and Consul at ${consul.http.config.address}` : ''}, configuring Caddy at ${config.caddyAdmin}`);
      await daemon.run();
    });

  router
    .command('status')
    .description('routes, their instances and owners, refused claims, and the last push to Caddy')
    .option('--json', 'print the status as JSON')
    .action(async (opts: { json?: boolean }) => {
      const state = readLocalState(nomHome(process.env, homedir()));
      const url = process.env.NOM_ROUTER_STATUS ?? state?.ingress?.routerStatus;
      if (!url) throw new CommandError('no router known: run `nom up`, or set NOM_ROUTER_STATUS to its status URL');
      const status = (await fetch(url).then((r) => r.json()).catch((e: Error) => {
        throw new CommandError(`the router at ${url} does not answer (${(e.cause as Error | undefined)?.message ?? e.message})`);
      })) as RouterStatus;
      if (opts.json) return out.result(JSON.stringify(status, null, 2));
      const lines = [`nomad: ${status.nomad.ok ? 'ok' : `unreachable (${status.nomad.error})`}${status.nomad.following ? `, following its ${status.nomad.following}` : ''}`];
      if (status.consul) lines.push(`consul: ${status.consul.ok ? 'ok' : `unreachable (${status.consul.error}); its services keep their last routes`}`);
      lines.push(`last push to Caddy: ${status.lastPush ? `${status.lastPush.ok ? 'ok' : `failed (${status.lastPush.error})`} at ${status.lastPush.at}` : 'none yet'}`);
      for (const r of status.table.routes) lines.push(`${r.scheme}://${r.host}  ${r.owner}  ${r.upstreams.length ? r.upstreams.join(' ') : 'no healthy instance'}`);
      for (const c of status.table.conflicts) lines.push(`refused: ${c.claimant} claims ${c.host}, owned by ${c.owner}`);
      for (const r of status.refused ?? []) lines.push(`refused: ${r.job} ${r.service} on ${r.alloc.slice(0, 8)} ${r.reason}`);
      if (!status.records) lines.push('hostname records: cannot be read (owners are the router\'s own)');
      else for (const r of status.records) lines.push(`owner: ${r.host} belongs to ${r.owner} since ${r.since}`);
      out.result(lines.join('\n'));
    });

  router
    .command('release <hostname>')
    .description('forget who owns a hostname (an operator\'s decision, with a token that may write nom/hostnames/*): the next job to claim it gets it')
    .action(async (hostname: string) =>
      withCluster(async (nomad) => {
        const records = new HostnameRecords(nomad);
        const record = (await records.read()).get(hostname.toLowerCase());
        if (!record) throw new CommandError(`no job owns ${hostname} (nothing recorded at ${recordPath(hostname.toLowerCase())} in namespace ${RECORDS_NAMESPACE})`);
        if (!(await records.release(record))) throw new CommandError(`the record of ${hostname} changed while releasing it: run again`);
        out.result(`released ${record.host} (it belonged to ${record.owner} since ${record.since})`);
      }),
    );
}
