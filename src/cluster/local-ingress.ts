import { sleepBlock } from '../router/sleep-policy.js';
import { InputError } from '../errors.js';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CaddyAdmin } from '../router/caddy-admin.js';
import { caddyConfig } from '../router/caddy-config.js';
import { routerConfig, type IngressPorts, type RouterConfig } from '../router/router-config.js';
import type { RouterStatus } from '../router/router.js';
import type { LocalLayout } from './local-layout.js';
import { isRunning, logTail, portInUse, readPid, runsWith, spawnDaemon, waitFor } from './processes.js';

/** The local domain every deployment on this machine gets a name under. */
export const LOCAL_BASE_DOMAIN = 'nom.localhost';
/** The console's hostname on the local cluster: `nom.` and the base domain, as on every cluster. */
export const LOCAL_CONSOLE_HOST = `nom.${LOCAL_BASE_DOMAIN}`;

/** The console's URL on the local cluster, from its HTTPS listener (127.0.0.1:port); *.localhost reaches loopback. Pure. */
export function localConsoleUrl(httpsListener: string): string {
  const port = Number(httpsListener.split(':').pop());
  return `https://${LOCAL_CONSOLE_HOST}${port === 443 ? '' : `:${port}`}/`;
}

/** HTTPS and HTTP as given (the CLI defaults them to 8443 and 8080), the router's ports next to Nomad's. */
export function ingressPorts(nomadHttpPort: number, listeners: { https: number; http: number }): IngressPorts {
  return {
    https: listeners.https,
    http: listeners.http,
    routerStatus: nomadHttpPort + 4,
    noInstance: nomadHttpPort + 6,
    wake: nomadHttpPort + 10,
  };
}

/**
 * The router's configuration for the local cluster: loopback, Caddy's internal CA, the Nomad
 * UI and API at the base domain, and unknown hostnames sent to the UI's job list (or
 * $NOM_UNKNOWN_HOST_REDIRECT). Pure.
 */
export function localRouterConfig(layout: LocalLayout, ports: IngressPorts, nomadHttpPort: number, env: Readonly<Record<string, string | undefined>> = {}, consulAddress?: string): RouterConfig {
  const https = ports.https === 443 ? '' : `:${ports.https}`;
  const config = routerConfig(ports, join(layout.caddyDir, 'admin.sock'), {
    bindHost: '127.0.0.1',
    tls: { mode: 'internal' },
    storageDir: join(layout.caddyDir, 'data'),
    nomad: { hostnames: [LOCAL_BASE_DOMAIN], upstream: `127.0.0.1:${nomadHttpPort}` },
    console: { hostnames: [LOCAL_CONSOLE_HOST], root: '', nomad: { dial: `127.0.0.1:${nomadHttpPort}` }, router: `127.0.0.1:${ports.routerStatus}` },
    unknownHostRedirect: env.NOM_UNKNOWN_HOST_REDIRECT || `https://${LOCAL_BASE_DOMAIN}${https}/ui/jobs`,
  });
  // The cluster's sleep and expiry rules for review apps, when the operator gives them.
  let sleep;
  try {
    sleep = sleepBlock({ reviewAppsAfter: env.NOM_SLEEP_AFTER || undefined, expireReviewAppsAfter: env.NOM_EXPIRE_AFTER || undefined }, { reviewAppsAfter: 'NOM_SLEEP_AFTER', expireReviewAppsAfter: 'NOM_EXPIRE_AFTER' });
  } catch (e) {
    throw InputError.of((e as Error).message);
  }
  const withSleep = sleep ? { ...config, sleep } : config;
  return consulAddress ? { ...withSleep, consul: { address: consulAddress } } : withSleep;
}

/** Where Caddy's internal CA keeps its root certificate (clients trust it via NOM_CA_CERT). */
export function caCertPath(config: RouterConfig): string {
  return join(config.ingress.storageDir, 'pki', 'authorities', 'local', 'root.crt');
}

/**
 * Starts Caddy (with an empty routing table) and `nom router` (which fills it from Nomad), unless
 * they already run, and waits until the router has pushed its first configuration.
 */
export async function startIngress(o: {
  layout: LocalLayout;
  config: RouterConfig;
  caddyBinary: string;
  nomadAddress: string;
  token: string;
  /** The environment the daemons inherit. */
  env: Readonly<Record<string, string | undefined>>;
  say: (line: string) => void;
  fail: (message: string) => Error;
  /** How to run `nom` for the router; this process's own command line by default. */
  nomCommand?: readonly string[];
}): Promise<void> {
  const { layout, config } = o;
  mkdirSync(dirname(layout.routerConfigFile), { recursive: true });
  mkdirSync(layout.caddyDir, { recursive: true });
  mkdirSync(dirname(layout.sessionsFile), { recursive: true });
  const routerConfigText = `${JSON.stringify(config, null, 2)}\n`;
  const routerConfigChanged = (existsSync(layout.routerConfigFile) ? readFileSync(layout.routerConfigFile, 'utf8') : '') !== routerConfigText;
  writeFileSync(layout.routerConfigFile, routerConfigText);
  const tail = (file: string) => logTail(file, 10);

  const caddyPid = readPid(layout.caddyPid);
  if (caddyPid === undefined || !isRunning(caddyPid, o.caddyBinary)) {
    const { ingress } = config;
    const adminPort = ingress.adminListen.startsWith('unix/') ? [] : [Number(ingress.adminListen.split(':').pop())];
    for (const port of [ingress.httpsPort, ingress.httpPort, ...adminPort, ingress.noInstancePort]) {
      if (await portInUse(port)) throw o.fail(`port ${port} on 127.0.0.1 is taken by another program: choose others with NOM_HTTPS_PORT / NOM_HTTP_PORT (or --port for the admin ports)`);
    }
    // A Caddy that was killed leaves its admin socket behind, and a new one could not bind it.
    if (ingress.adminListen.startsWith('unix/')) rmSync(ingress.adminListen.slice('unix/'.length).split('|')[0]!, { force: true });
    writeFileSync(layout.caddyConfigFile, JSON.stringify(caddyConfig({ routes: [], conflicts: [] }, ingress)));
    o.say(`starting Caddy (${o.caddyBinary}) on https://127.0.0.1:${ingress.httpsPort} and http://127.0.0.1:${ingress.httpPort}`);
    const pid = spawnDaemon(o.caddyBinary, ['run', '--config', layout.caddyConfigFile], layout.caddyLog, { ...o.env, XDG_CONFIG_HOME: layout.caddyDir, XDG_DATA_HOME: layout.caddyDir });
    writeFileSync(layout.caddyPid, `${pid}\n`);
    appendFileSync(layout.sessionsFile, `${pid}\n`);
  }
  const admin = new CaddyAdmin(config.caddyAdmin);
  await waitFor(async () => ((await admin.config().then(() => true, () => false)) ? true : undefined), {
    timeoutMs: 30_000,
    onTimeout: () => o.fail(`Caddy's admin API did not answer within 30s; its log ends:\n${tail(layout.caddyLog)}`),
  });

  let routerPid = readPid(layout.routerPid);
  if (routerPid !== undefined && runsWith(routerPid, layout.routerConfigFile) && routerConfigChanged) {
    // A router started with other settings (an older nom, other ports) is replaced.
    o.say('restarting the router: its configuration changed');
    process.kill(routerPid, 'SIGTERM');
    const stopping = routerPid;
    await waitFor(async () => (isRunning(stopping) ? undefined : true), { timeoutMs: 10_000, onTimeout: () => o.fail(`the router (pid ${stopping}) did not stop within 10s`) });
    routerPid = undefined;
  }
  if (routerPid === undefined || !runsWith(routerPid, layout.routerConfigFile)) {
    for (const port of [config.statusPort, ...(config.ingress.wakePort ? [config.ingress.wakePort] : [])]) {
      if (await portInUse(port)) throw o.fail(`port ${port} on 127.0.0.1, which the router needs, is taken by another program: choose other admin ports with --port`);
    }
    const [command, ...args] = o.nomCommand ?? [process.execPath, process.argv[1]!];
    const pid = spawnDaemon(command!, [...args, 'router', '--config', layout.routerConfigFile], layout.routerLog, { ...o.env, NOMAD_ADDR: o.nomadAddress, NOMAD_TOKEN: o.token });
    writeFileSync(layout.routerPid, `${pid}\n`);
    appendFileSync(layout.sessionsFile, `${pid}\n`);
  }
  await waitFor(
    async () => {
      const status = await fetch(`http://127.0.0.1:${config.statusPort}/status`).then((r) => r.json() as Promise<RouterStatus>, () => undefined);
      return status?.lastPush?.ok ? true : undefined;
    },
    { timeoutMs: 30_000, onTimeout: () => o.fail(`the router did not configure Caddy within 30s; its log ends:\n${tail(layout.routerLog)}`) },
  );
}
