import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import type { SleepBlock } from './sleep-policy.js';
import { DEFAULT_HSTS, PRIVATE_RANGES, type IngressOptions } from './caddy-config.js';

/** What `nom router --config <file>` reads: how Caddy is set up, and where to reach it. */
export interface RouterConfig {
  readonly ingress: IngressOptions;
  /** Caddy's admin API, e.g. http://127.0.0.1:2019. */
  readonly caddyAdmin: string;
  /** Loopback port of the router's status and TLS-permission endpoint. */
  readonly statusPort: number;
  /** Consul, when services register there too: its address (the token comes from CONSUL_HTTP_TOKEN). */
  readonly consul?: { readonly address: string };
  /** When idle review apps sleep and unredeployed ones expire (see docs/sleep.md); nom's defaults when absent. */
  readonly sleep?: SleepBlock;
}

/** Reads `nom router --config <file>`; a file that is missing, not JSON or incomplete is the user's to fix (exit 2). */
export function readRouterConfig(file: string): RouterConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw InputError.of(`--config ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let config: RouterConfig;
  try {
    config = JSON.parse(text) as RouterConfig;
  } catch (e) {
    throw InputError.of(`--config ${file} is not JSON: ${(e as Error).message}`);
  }
  const missing = (['ingress', 'caddyAdmin', 'statusPort'] as const).filter((key) => config?.[key] === undefined);
  if (missing.length) throw InputError.of(`--config ${file} lacks ${missing.map((k) => `"${k}"`).join(', ')} (nom up writes a complete one; see docs/router.md)`);
  return config;
}

/** The ports of an ingress: HTTPS and HTTP for everyone; the others on loopback only. */
export interface IngressPorts {
  readonly https: number;
  readonly http: number;
  readonly routerStatus: number;
  /** Caddy's loopback listener that answers 503 for a route without a healthy instance. */
  readonly noInstance: number;
  /** The router's loopback listener that wakes a sleeping app and holds its requests meanwhile. */
  readonly wake: number;
}

/**
 * A router configuration: Caddy's admin API on a unix socket only its user may open (mode
 * 0600: no container, and no other local user, can rewrite the routes); the router's status
 * endpoint, the wake listener and the 503 listener on loopback; the public listeners on `bindHost` (''
 * for every address); HSTS and trusted private proxies as defaults. Pure.
 */
export function routerConfig(
  ports: IngressPorts,
  adminSocket: string,
  o: Pick<IngressOptions, 'bindHost' | 'tls' | 'storageDir' | 'unknownHostRedirect' | 'nomad' | 'console' | 'reservedHostnames'>,
): RouterConfig {
  return {
    caddyAdmin: `unix:${adminSocket}`,
    statusPort: ports.routerStatus,
    ingress: {
      httpsPort: ports.https,
      httpPort: ports.http,
      adminListen: `unix/${adminSocket}|0600`,
      noInstancePort: ports.noInstance,
      wakePort: ports.wake,
      hsts: DEFAULT_HSTS,
      trustedProxies: PRIVATE_RANGES,
      ...o,
    },
  };
}
