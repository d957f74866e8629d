import type { AllocatedNetwork, AllocationListStub } from '../nomad/jobs.js';
import type { ServiceInstance } from './routing-table.js';

/**
 * The addresses (`ip:port`) at which an allocation may be reached: the ports Nomad gave it on its
 * node, and in a bridge network its own address with each port's inside number. A service
 * registration names its address and port itself (a job may write any), so only these are
 * routed: otherwise a pipeline could point its hostname at the ingress node's loopback (Nomad's
 * or Consul's API, the router, the Caddy admin) or anywhere else the node can reach. Pure.
 */
export function allocatedEndpoints(a: Pick<AllocationListStub, 'AllocatedResources'>): string[] {
  const r = a.AllocatedResources;
  if (!r) return [];
  const out = new Set<string>();
  for (const p of r.Shared?.Ports ?? []) {
    out.add(endpoint(p.HostIP, p.Value));
  }
  const networks = [...(r.Shared?.Networks ?? []), ...Object.values(r.Tasks ?? {}).flatMap((t) => t.Networks ?? [])];
  for (const n of networks) for (const e of networkEndpoints(n)) out.add(e);
  return [...out];
}

function networkEndpoints(n: AllocatedNetwork): string[] {
  if (!n.IP) return [];
  const ports = [...(n.ReservedPorts ?? []), ...(n.DynamicPorts ?? [])];
  // In a bridge network the allocation has an address of its own, where its ports keep their inside number.
  return ports.flatMap((p) => [endpoint(n.IP, p.Value), ...(n.Mode === 'bridge' && p.To > 0 ? [endpoint(n.IP, p.To)] : [])]);
}

/** `ip:port`, an IPv6 address in brackets. */
export function endpoint(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export interface RefusedInstance {
  readonly instance: ServiceInstance;
  /** Why it is not routed, for the router's log. */
  readonly reason: string;
}

/**
 * Splits instances into those registered at an address Nomad gave their allocation, which may be
 * routed, and the others, which may not. An instance whose allocation is not listed (yet) is in
 * neither: it is routed once Nomad lists it. Pure.
 */
export function checkEndpoints(
  instances: readonly ServiceInstance[],
  endpointsOf: (allocId: string) => ReadonlySet<string> | undefined,
): { routable: ServiceInstance[]; refused: RefusedInstance[] } {
  const routable: ServiceInstance[] = [];
  const refused: RefusedInstance[] = [];
  for (const i of instances) {
    const allowed = endpointsOf(i.allocId);
    if (!allowed) continue;
    const at = endpoint(i.address, i.port);
    if (allowed.has(at)) routable.push(i);
    else refused.push({ instance: i, reason: `registers ${at}, which is not an address Nomad gave its allocation (${[...allowed].sort().join(', ') || 'none'})` });
  }
  return { routable, refused };
}
