import http from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import type { NomadClient } from '../nomad/client.js';
import type { CaddyAdmin } from './caddy-admin.js';
import { caddyConfig, type IngressOptions } from './caddy-config.js';
import { routingTable, type Route, type RoutingTable, type ServiceInstance } from './routing-table.js';

export interface RouterLog {
  info(line: string): void;
  warn(line: string): void;
}

export interface RouterStatus {
  readonly table: RoutingTable;
  readonly nomad: { readonly ok: boolean; readonly error?: string | undefined; readonly at: string };
  readonly lastPush: { readonly ok: boolean; readonly error?: string | undefined; readonly at: string } | undefined;
}

const POLL_MS = 500;

/**
 * Follows Nomad's service registrations in every namespace and the health of their
 * allocations, turns them into a routing table, and keeps Caddy's configuration equal to the
 * document made from it. It pushes only what it read from Nomad: while Nomad cannot be read,
 * Caddy keeps the last good configuration; when Caddy restarts empty, the routes come back.
 */
export class Router {
  private pushed: unknown;
  private pushedRoutes: unknown;
  private status: RouterStatus = { table: { routes: [], conflicts: [] }, nomad: { ok: false, at: new Date().toISOString() }, lastPush: undefined };
  private knownConflicts = new Set<string>();
  private stopped = false;

  constructor(
    private readonly nomad: NomadClient,
    private readonly caddy: CaddyAdmin,
    private readonly ingress: IngressOptions,
    private readonly log: RouterLog,
  ) {}

  current(): RouterStatus {
    return this.status;
  }

  stop(): void {
    this.stopped = true;
  }

  async run(): Promise<void> {
    while (!this.stopped) {
      const began = Date.now();
      await this.step();
      await new Promise((r) => setTimeout(r, Math.max(0, POLL_MS - (Date.now() - began))));
    }
  }

  /** One round: read Nomad, compute, push if different from what Caddy runs. */
  async step(): Promise<void> {
    let table: RoutingTable;
    try {
      table = await this.keepLiveRoutes(routingTable(...(await this.readNomad())));
      this.status = { ...this.status, table, nomad: { ok: true, at: new Date().toISOString() } };
    } catch (e) {
      if (this.status.nomad.ok) this.log.warn(`cannot read Nomad (${(e as Error).message}): Caddy keeps the last configuration`);
      this.status = { ...this.status, nomad: { ok: false, error: (e as Error).message, at: new Date().toISOString() } };
      return;
    }
    for (const c of table.conflicts) {
      const key = `${c.host} ${c.claimant}`;
      if (!this.knownConflicts.has(key)) this.log.warn(`${c.claimant} claims ${c.host}, which belongs to ${c.owner}: not routed`);
    }
    this.knownConflicts = new Set(table.conflicts.map((c) => `${c.host} ${c.claimant}`));

    const config = caddyConfig(table, this.ingress);
    try {
      if (isDeepStrictEqual(config, this.pushed)) {
        // Unchanged, unless Caddy restarted and forgot it: then it gets it again.
        if (isDeepStrictEqual(await this.caddy.config(), config)) return;
        this.log.warn('Caddy is not running the routes (restarted?): pushing them again');
      }
      await this.caddy.load(config);
      if (!isDeepStrictEqual(table.routes, this.pushedRoutes)) {
        this.log.info(`routes: ${table.routes.map((r) => `${r.host} → ${r.upstreams.length} instance(s)`).join(', ') || 'none'}`);
      }
      this.pushed = config;
      this.pushedRoutes = table.routes;
      this.status = { ...this.status, lastPush: { ok: true, at: new Date().toISOString() } };
    } catch (e) {
      const error = (e as Error).message;
      if (this.status.lastPush?.error !== error) this.log.warn(`push to Caddy failed, it keeps its last good configuration: ${error}`);
      this.status = { ...this.status, lastPush: { ok: false, error, at: new Date().toISOString() } };
    }
  }

  /**
   * A hostname whose instances all deregistered stays routed (answering 503) while its job is
   * still meant to run: a restarting node or a job between allocations must not fall through to
   * the unknown-host page, nor lose its certificate.
   */
  private async keepLiveRoutes(table: RoutingTable): Promise<RoutingTable> {
    const gone = this.status.table.routes.filter((r) => !table.routes.some((n) => n.host === r.host && n.scheme === r.scheme));
    const kept: Route[] = [];
    for (const r of gone) {
      const [namespace, ...id] = r.owner.split('/');
      const job = await this.nomad.jobs.read(id.join('/'), namespace!);
      if (job && !job.Stop && job.Status !== 'dead') kept.push({ ...r, upstreams: [] });
    }
    if (!kept.length) return table;
    return { ...table, routes: [...table.routes, ...kept].sort((a, b) => `${a.scheme}://${a.host}`.localeCompare(`${b.scheme}://${b.host}`)) };
  }

  /** Every registration in every namespace, and which allocations are healthy. */
  private async readNomad(): Promise<[ServiceInstance[], (allocId: string) => boolean]> {
    const { value: namespaces } = await this.nomad.services.list();
    const instances: ServiceInstance[] = [];
    for (const ns of namespaces) {
      for (const s of ns.Services) {
        for (const r of await this.nomad.services.registrations(s.ServiceName, ns.Namespace)) {
          instances.push({
            namespace: r.Namespace, jobId: r.JobID, serviceName: r.ServiceName, allocId: r.AllocID,
            address: r.Address, port: r.Port, tags: r.Tags ?? [], createIndex: r.CreateIndex,
          });
        }
      }
    }
    const healthy = new Set<string>();
    for (const allocId of new Set(instances.map((i) => i.allocId))) {
      const ns = instances.find((i) => i.allocId === allocId)!.namespace;
      // An instance joins once all its checks pass; one without checks counts as healthy.
      const checks = await this.nomad.allocations.checks(allocId, ns).catch(() => undefined);
      if (checks && Object.values(checks).every((c) => c.Status === 'success')) healthy.add(allocId);
    }
    return [instances, (id) => healthy.has(id)];
  }
}

/**
 * The router's own loopback endpoint: GET /status (for `nom router status`) and GET
 * /tls-allowed?domain= (on-demand TLS: yes only for hostnames it routes).
 */
export function serveStatus(router: Router, port: number): http.Server {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://router');
    if (url.pathname === '/status') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(router.current()));
    } else if (url.pathname === '/tls-allowed') {
      const domain = url.searchParams.get('domain')?.toLowerCase();
      const routed = router.current().table.routes.some((r) => r.host === domain);
      res.writeHead(routed ? 200 : 403).end();
    } else res.writeHead(404).end();
  });
  server.listen(port, '127.0.0.1');
  return server;
}
