import { createHash } from 'node:crypto';
import type { Route, RoutingTable } from './routing-table.js';
import { CONSOLE_NOMAD_CALLS } from './console-calls.js';

/** How the ingress is set up: where Caddy listens, how it gets certificates, what else it serves. */
export interface IngressOptions {
  readonly httpsPort: number;
  readonly httpPort: number;
  /** Address to listen on: '127.0.0.1' for a local cluster, '' for every interface. */
  readonly bindHost: string;
  /** Caddy's admin API, e.g. 127.0.0.1:2019: the router pushes configuration there. */
  readonly adminListen: string;
  /** A loopback port where Caddy itself answers 503 for routes without a healthy instance. */
  readonly noInstancePort: number;
  /** A loopback port where the router wakes sleeping apps (their routes point there while they sleep). */
  readonly wakePort?: number | undefined;
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
  /** The nom console at the cluster's own hostname(s) (see docs/console.md). */
  readonly console?: ConsoleOptions | undefined;
  /** More hostnames of the cluster itself that no job may claim (the base domain's apex). */
  readonly reservedHostnames?: readonly string[] | undefined;
}

export interface ConsoleOptions {
  readonly hostnames: readonly string[];
  /** The directory of the page's files (index.html, app.js…); the router fills it in from its own package when empty. */
  readonly root: string;
  /** Nomad's HTTP API as Caddy dials it (host:port), over TLS trusting `caFile` when one is given. */
  readonly nomad: { readonly dial: string; readonly caFile?: string | undefined };
  /** The router's loopback endpoint (host:port), which tells a token the routes of the jobs it may see. */
  readonly router: string;
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
 * The document names itself: a route carries "@id": configId(document), which the router asks
 * Caddy for to know it still runs this document, without reading it whole.
 */
export function caddyConfig(table: RoutingTable, o: IngressOptions): Json {
  const document = caddyDocument(table, o);
  const servers = ((document.apps as Json).http as Json).servers as Record<string, Json>;
  const [first, ...rest] = servers.unavailable!.routes as Json[];
  servers.unavailable!.routes = [{ ...first, '@id': configId(document) }, ...rest];
  return document;
}

/** The "@id" a document made by caddyConfig carries. Pure. */
export function documentId(document: unknown): string | undefined {
  const servers = (((document as Json | undefined)?.apps as Json | undefined)?.http as Json | undefined)?.servers as Record<string, Json> | undefined;
  return ((servers?.unavailable?.routes as Json[] | undefined)?.[0]?.['@id'] as string | undefined) ?? undefined;
}

/** The id of a document: "nom-" and a hash of it. Pure. */
export function configId(document: unknown): string {
  return `nom-${createHash('sha256').update(JSON.stringify(document)).digest('hex').slice(0, 16)}`;
}

/** The document itself. Pure. */
function caddyDocument(table: RoutingTable, o: IngressOptions): Json {
  const hsts = { handler: 'headers', response: { set: { 'Strict-Transport-Security': [o.hsts] } } };
  // Random choice: least-connections measured the same throughput but a third more p99 latency
  // (bench/router-overhead.ts). A refused connection is retried on another instance (the list is
  // asked again each try); a configuration push must not cut websockets, so old streams close late.
  const balancing = { selection_policy: { policy: 'random' }, retries: 2, try_duration: '5s', try_interval: '250ms' };
  // One handler for every hostname of a scheme: nom's module finds the request's host in its
  // table, so the document does not grow a route per hostname (Caddy would try them one by one)
  // and a thousand hostnames are one binary search in one host matcher.
  const proxy = (scheme: Route['scheme']): Json => ({
    handler: 'reverse_proxy',
    // Instances come from the upstream table the router puts into nom's module (upstream-table.ts),
    // not from this document: they change without a configuration load. While the router is
    // away, Caddy keeps the last table; a hostname not in it goes to the 503 listener.
    dynamic_upstreams: { source: 'nom', scheme, fallback: `127.0.0.1:${o.noInstancePort}` },
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
    ...(https.length ? [{ match: [{ host: https.map((r) => r.host) }], handle: [hsts, proxy('https')], terminal: true }] : []),
    ...(o.nomad?.hostnames.length ? [{ match: [{ host: [...o.nomad.hostnames] }], handle: [hsts, nomadProxy(o.nomad.upstream)], terminal: true }] : []),
    ...(o.console?.hostnames.length ? [{ match: [{ host: [...o.console.hostnames] }], handle: [hsts, consoleRoutes(o.console)], terminal: true }] : []),
    { handle: [unknown] },
  ];
  const redirectHosts = [...https.map((r) => r.host), ...(o.nomad?.hostnames ?? []), ...(o.console?.hostnames ?? [])];
  const httpRoutes: Json[] = [
    ...(plain.length
      ? [{
          match: [{ host: plain.map((r) => r.host) }],
          handle: [
            {
              handler: 'subroute',
              // HSTS on plain HTTP too, unless the client asks otherwise with X-HSTS: off.
              routes: [{ match: [{ not: [{ header: { 'X-Hsts': ['off'] } }] }], handle: [hsts] }, { handle: [proxy('http')] }],
            },
          ],
          terminal: true,
        }]
      : []),
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
          // Where a route without a healthy instance is sent (the upstream table names it).
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

/**
 * The console's hostname: the page's files, the calls to Nomad the page makes (and no others,
 * each still under the visitor's own token), and the router's answer of which routes that token
 * may see. The page is strict about where it loads from and who may frame it. Pure.
 */
function consoleRoutes(c: ConsoleOptions): Json {
  const nomad: Json = {
    handler: 'reverse_proxy',
    upstreams: [{ dial: c.nomad.dial }],
    // The event stream and followed logs arrive as they are written.
    flush_interval: -1,
    ...(c.nomad.caFile ? { transport: { protocol: 'http', tls: { root_ca_pem_files: [c.nomad.caFile] } } } : {}),
    // Only the visitor's X-Nomad-Token speaks for them; nothing the browser adds besides.
    headers: { request: { delete: ['Cookie', 'Authorization'] } },
  };
  const page = {
    handler: 'headers',
    response: {
      set: {
        'Content-Security-Policy': ["default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"],
        'Referrer-Policy': ['no-referrer'],
        'X-Content-Type-Options': ['nosniff'],
        'Cache-Control': ['no-cache'],
      },
    },
  };
  return {
    handler: 'subroute',
    routes: [
      {
        match: CONSOLE_NOMAD_CALLS.map((call) => ({ method: [call.method], path_regexp: { pattern: call.path } })),
        handle: [nomad],
        terminal: true,
      },
      { match: [{ path: ['/v1/*', '/v1'] }], handle: [{ handler: 'static_response', status_code: 403, body: 'the nom console does not pass this call to Nomad\n' }], terminal: true },
      { match: [{ path: ['/api/ingress'] }], handle: [{ handler: 'rewrite', uri: '/console/ingress' }, { handler: 'reverse_proxy', upstreams: [{ dial: c.router }] }], terminal: true },
      { handle: [page, { handler: 'file_server', root: c.root, index_names: ['index.html'] }] },
    ],
  };
}
