import { isIPv4, isIPv6 } from 'node:net';
import type { Route, RoutingTable } from './routing-table.js';

/**
 * The names and answers of the router's upstream DNS: Caddy asks it for each route's instances
 * (SRV) instead of carrying them in its configuration, so instances come and go without a
 * configuration load — and a load closes every idle keep-alive connection. Pure.
 *
 *   _https._tcp.<host>.          SRV  → one record per healthy instance: ip4-10-0-0-5.nom.internal:21034
 *   ip4-10-0-0-5.nom.internal.   A    → 10.0.0.5   (and ip6-….nom.internal. AAAA)
 *
 * A route without a healthy instance answers with `noInstance`, a listener that answers 503:
 * an empty answer would make Caddy keep using the instances it had.
 */
export const ADDRESS_ZONE = 'nom.internal';

/** The SRV name Caddy looks up for a route (rooted, so no search domain is tried). */
export function srvName(route: Pick<Route, 'scheme' | 'host'>): string {
  // '*' cannot appear in a name Go's resolver will ask for; underscores can.
  return `_${route.scheme}._tcp.${route.host.replace(/\*/g, '_star')}.`;
}

/** A name that resolves to `ip`: the SRV records point at these, since a target must be a name. */
export function addressName(ip: string): string {
  if (isIPv4(ip)) return `ip4-${ip.replace(/\./g, '-')}.${ADDRESS_ZONE}`;
  // Every group written out, so no label starts or ends with '-'.
  const [head = '', tail = ''] = ip.split('::');
  const groups = (s: string) => (s ? s.split(':') : []);
  const missing = 8 - groups(head).length - groups(tail).length;
  const full = ip.includes('::') ? [...groups(head), ...Array<string>(missing).fill('0'), ...groups(tail)] : groups(ip);
  return `ip6-${full.map((g) => g.toLowerCase()).join('-')}.${ADDRESS_ZONE}`;
}

/** The address an `addressName` stands for, if it is one. */
export function addressOf(name: string): { type: 'A' | 'AAAA'; ip: string } | undefined {
  const m = /^ip([46])-([0-9a-f-]+)\.nom\.internal\.?$/i.exec(name);
  if (!m) return undefined;
  const ip = m[1] === '4' ? m[2]!.replace(/-/g, '.') : m[2]!.replace(/-/g, ':');
  if (m[1] === '4' ? !isIPv4(ip) : !isIPv6(ip)) return undefined;
  return { type: m[1] === '4' ? 'A' : 'AAAA', ip };
}

export interface SrvTarget {
  readonly target: string;
  readonly port: number;
}

export type DnsAnswer =
  | { readonly rcode: 'NOERROR'; readonly srv?: readonly SrvTarget[]; readonly address?: { type: 'A' | 'AAAA'; ip: string } }
  | { readonly rcode: 'NXDOMAIN' | 'SERVFAIL' };

/** Each table's routes by SRV name, made once per table: Caddy asks several times a second per busy hostname. */
const indexes = new WeakMap<RoutingTable, Map<string, Route>>();

/** The route an SRV name stands for, if any. */
export function routeOfSrvName(table: RoutingTable, name: string): Route | undefined {
  let index = indexes.get(table);
  if (!index) indexes.set(table, (index = new Map(table.routes.map((r) => [srvName(r), r]))));
  return index.get(name.toLowerCase().replace(/\.?$/, '.'));
}

/**
 * What the router answers to `type` `name`. `table` is undefined until the router has read
 * Nomad once: it then answers SERVFAIL, and Caddy keeps what it had. A route without a healthy
 * instance points at `noInstance` (503), or at `wake` when its job sleeps.
 */
export function dnsAnswer(table: RoutingTable | undefined, name: string, type: string, noInstance: SrvTarget, wake: SrvTarget = noInstance): DnsAnswer {
  const address = addressOf(name);
  if (address) return type === address.type ? { rcode: 'NOERROR', address } : { rcode: 'NOERROR' };
  if (!table) return { rcode: 'SERVFAIL' };
  const route = routeOfSrvName(table, name);
  if (!route) return { rcode: 'NXDOMAIN' };
  if (type !== 'SRV') return { rcode: 'NOERROR' };
  if (!route.upstreams.length && route.asleep) return { rcode: 'NOERROR', srv: [wake] };
  const srv = route.upstreams.map((u) => {
    const at = u.lastIndexOf(':');
    return { target: addressName(u.slice(0, at).replace(/^\[|\]$/g, '')), port: Number(u.slice(at + 1)) };
  });
  return { rcode: 'NOERROR', srv: srv.length ? srv : [noInstance] };
}
