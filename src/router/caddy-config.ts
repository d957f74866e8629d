import type { Route, RoutingTable } from './routing-table.js';
import { srvName } from './upstream-dns.js';

/** How the ingress is set up: where Caddy listens, how it gets certificates, what else it serves. */
export interface IngressOptions {
  readonly httpsPort: number;
  readonly httpPort: number;
  /** Address to listen on: '127.0.0.1' for a local cluster, '' for every interface. */
  readonly bindHost: string;
  /** Caddy's admin API, e.g. 127.0.0.1:2019: the router pushes configuration there. */
  readonly adminListen: string;
  /** The router's upstream DNS as a Caddy network address, e.g. tcp/127.0.0.1:4651. */
  readonly upstreamDns: string;
  /** A loopback port where Caddy itself answers 503 for routes without a healthy instance. */
  readonly noInstancePort: number;
  readonly tls:
    | { readonly mode: 'internal' }
    | ({ readonly mode: 'acme' } & AcmeOptions)
    | ({ readonly mode: 'on-demand'; readonly permissionUrl: string } & AcmeOptions);
  /** Where Caddy keeps certificates and its internal CA. */
  readonly storageDir: string;
  /** Where requests for hostnames nothing routes are sent; a 404 page when unset. */
  readonly unknownHostRedirect?: string | undefined;
  readonly hsts: string;
  /** CIDRs whose X-Forwarded-* headers are believed. */
  readonly trustedProxies: readonly string[];
  /** The Nomad UI and API at the cluster's own hostname(s). */
  readonly nomad?: { readonly hostnames: readonly string[]; readonly upstream: string } | undefined;
  /** More hostnames of the cluster itself that no job may claim (the base domain's apex). */
  readonly reservedHostnames?: readonly string[] | undefined;
}

/** Where certificates come from in the ACME modes; Let's Encrypt unless `ca` says otherwise. */
export interface AcmeOptions {
  readonly email?: string | undefined;
  /** The ACME directory URL of another CA (Let's Encrypt's staging, a private step-ca…). */
  readonly ca?: string | undefined;
  /** PEM files of roots to trust for that CA's own HTTPS endpoint. */
  readonly caRootFiles?: readonly string[] | undefined;
}

export const DEFAULT_HSTS = 'max-age=15724800; includeSubdomains';
export const PRIVATE_RANGES = ['127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '::1/128', 'fc00::/7'];

type Json = Record<string, unknown>;

/**
 * The whole Caddy configuration for a routing table: one document, loaded atomically with
 * POST /load. Pure: same table and options, same document (so unchanged pushes are skipped).
 */
export function caddyConfig(table: RoutingTable, o: IngressOptions): Json {
  const hsts = { handler: 'headers', response: { set: { 'Strict-Transport-Security': [o.hsts] } } };
  // Least-connections; a refused connection is retried on another instance (the list is asked
  // again each try); a configuration push must not cut websockets, so old streams close late.
  const balancing = { selection_policy: { policy: 'least_conn' }, retries: 2, try_duration: '5s', try_interval: '250ms' };
  const resolver = { addresses: [o.upstreamDns] };
  const proxy = (route: Route): Json => ({
    handler: 'reverse_proxy',
    // Instances come from the router's DNS, not from this document: they change without a
    // configuration load. While the router is away, Caddy keeps the last answer.
    dynamic_upstreams: { source: 'srv', name: srvName(route), refresh: '250ms', grace_period: '2s', resolver, dial_timeout: '1s' },
    transport: { protocol: 'http', resolver },
    load_balancing: balancing,
    stream_close_delay: '1h',
  });
  const nomadProxy = (upstream: string): Json => ({ handler: 'reverse_proxy', upstreams: [{ dial: upstream }], load_balancing: balancing, stream_close_delay: '1h' });
  const unknown: Json = o.unknownHostRedirect
    ? { handler: 'static_response', status_code: 302, headers: { Location: [o.unknownHostRedirect] } }
    : { handler: 'static_response', status_code: 404, body: 'no deployment at this hostname\n' };
  const https = table.routes.filter((r) => r.scheme === 'https');
  const plain = table.routes.filter((r) => r.scheme === 'http');
  const httpsSuffix = o.httpsPort === 443 ? '' : `:${o.httpsPort}`;
  const listen = (port: number) => [`${o.bindHost}:${port}`];

  const httpsRoutes: Json[] = [
    ...https.map((r) => ({ match: [{ host: [r.host] }], handle: [hsts, proxy(r)], terminal: true })),
    ...(o.nomad?.hostnames.length ? [{ match: [{ host: [...o.nomad.hostnames] }], handle: [hsts, nomadProxy(o.nomad.upstream)], terminal: true }] : []),
    { handle: [unknown] },
  ];
  const redirectHosts = [...https.map((r) => r.host), ...(o.nomad?.hostnames ?? [])];
  const httpRoutes: Json[] = [
    ...plain.map((r) => ({
      match: [{ host: [r.host] }],
      handle: [
        {
          handler: 'subroute',
          // HSTS on plain HTTP too, unless the client asks otherwise with X-HSTS: off.
          routes: [{ match: [{ not: [{ header: { 'X-Hsts': ['off'] } }] }], handle: [hsts] }, { handle: [proxy(r)] }],
        },
      ],
      terminal: true,
    })),
    ...(redirectHosts.length
      ? [{ match: [{ host: redirectHosts }], handle: [{ handler: 'static_response', status_code: 308, headers: { Location: [`https://{http.request.host}${httpsSuffix}{http.request.uri}`] } }], terminal: true }]
      : []),
    { handle: [unknown] },
  ];

  const issuer =
    o.tls.mode === 'internal'
      ? { module: 'internal' }
      : {
          module: 'acme',
          ...(o.tls.ca ? { ca: o.tls.ca } : {}),
          ...(o.tls.email ? { email: o.tls.email } : {}),
          ...(o.tls.caRootFiles?.length ? { trusted_roots_pem_files: [...o.tls.caRootFiles] } : {}),
        };
  const tls: Json = {
    automation: {
      policies: [{ issuers: [issuer], ...(o.tls.mode === 'on-demand' ? { on_demand: true } : {}) }],
      ...(o.tls.mode === 'on-demand' ? { on_demand: { permission: { module: 'http', endpoint: o.tls.permissionUrl } } } : {}),
    },
  };
  return {
    // The router is the source of truth: Caddy need not save the configuration anywhere.
    admin: { listen: o.adminListen, config: { persist: false } },
    storage: { module: 'file_system', root: o.storageDir },
    apps: {
      http: {
        http_port: o.httpPort,
        https_port: o.httpsPort,
        servers: {
          https: {
            listen: listen(o.httpsPort),
            routes: httpsRoutes,
            // We route HTTP ourselves (redirects and plain-HTTP deployments).
            automatic_https: { disable_redirects: true },
            trusted_proxies: { source: 'static', ranges: [...o.trustedProxies] },
          },
          http: { listen: listen(o.httpPort), routes: httpRoutes, trusted_proxies: { source: 'static', ranges: [...o.trustedProxies] } },
          // Where a route without a healthy instance is sent (the router's DNS names it).
          unavailable: {
            listen: [`127.0.0.1:${o.noInstancePort}`],
            routes: [{ handle: [{ handler: 'static_response', status_code: 503, headers: { 'Retry-After': ['5'] }, body: 'no healthy instance of this deployment yet\n' }] }],
            automatic_https: { disable: true },
          },
        },
      },
      tls,
      // Never touch the machine's trust store; NOM_CA_CERT names the root for clients.
      pki: { certificate_authorities: { local: { install_trust: false } } },
    },
  };
}
