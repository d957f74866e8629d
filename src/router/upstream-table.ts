import { createHash } from 'node:crypto';
import type { Route, RoutingTable } from './routing-table.js';

/**
 * The table of upstreams that nom's module in Caddy answers from (caddy/upstreams.go): each
 * route's healthy instances, by "<scheme>/<host>". It lives outside Caddy's configuration, so
 * instances come and go without a configuration load (a load closes every idle keep-alive
 * connection), and the router replaces it whole (PUT /nom/upstreams on Caddy's admin API). A
 * route without a healthy instance points at `noInstance`, a listener that answers 503, or at
 * `wake` while its job sleeps. Pure.
 */
export interface UpstreamTable {
  /** A hash of the routes: Caddy reports the id it holds, so a restarted Caddy is noticed. */
  readonly id: string;
  readonly routes: Readonly<Record<string, readonly string[]>>;
}

/** The key of a route in the table, as the module makes it from a request. */
export function routeKey(route: Pick<Route, 'scheme' | 'host'>): string {
  return `${route.scheme}/${route.host}`;
}

export function upstreamTable(table: RoutingTable, noInstance: string, wake: string = noInstance): UpstreamTable {
  const routes: Record<string, readonly string[]> = {};
  for (const r of table.routes) {
    routes[routeKey(r)] = r.upstreams.length ? r.upstreams : [r.asleep ? wake : noInstance];
  }
  return { id: `nom-${createHash('sha256').update(JSON.stringify(routes)).digest('hex').slice(0, 16)}`, routes };
}
