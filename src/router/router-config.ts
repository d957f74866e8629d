import { readFileSync } from 'node:fs';
import type { IngressOptions } from './caddy-config.js';

/** What `nom router --config <file>` reads: how Caddy is set up, and where to reach it. */
export interface RouterConfig {
  readonly ingress: IngressOptions;
  /** Caddy's admin API, e.g. http://127.0.0.1:2019. */
  readonly caddyAdmin: string;
  /** Loopback port of the router's status and TLS-permission endpoint. */
  readonly statusPort: number;
  /** Loopback port of the router's upstream DNS (TCP), which `ingress.upstreamDns` names for Caddy. */
  readonly dnsPort: number;
}

export function readRouterConfig(file: string): RouterConfig {
  const config = JSON.parse(readFileSync(file, 'utf8')) as RouterConfig;
  for (const key of ['ingress', 'caddyAdmin', 'statusPort', 'dnsPort'] as const) {
    if (config[key] === undefined) throw new Error(`${file} lacks "${key}"`);
  }
  return config;
}
