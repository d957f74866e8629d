import type { NomadClient } from '../../nomad/client.js';
import { table } from '../../operate/terminal-text.js';

/** `nom cluster status` as data. */
export interface ClusterStatus {
  readonly leader: string;
  readonly servers: readonly { readonly name: string; readonly address: string; readonly status: string; readonly version: string; readonly leader: boolean }[];
  readonly nodes: readonly { readonly name: string; readonly address: string; readonly status: string; readonly version: string; readonly drivers: readonly string[] }[];
}

/** Reads the servers (gossip members), the leader and the client nodes. */
export async function clusterStatus(nomad: NomadClient): Promise<ClusterStatus> {
  const [leader, { Members }, nodes] = await Promise.all([nomad.agent.leader(), nomad.agent.members(), nomad.nodes.list()]);
  return {
    leader,
    servers: Members.map((m) => ({
      name: m.Name,
      address: m.Addr,
      status: m.Status,
      version: m.Tags.build ?? '',
      // The leader's RPC address is the member's address and its rpc port.
      leader: leader === `${m.Addr}:${m.Tags.port}`,
    })).sort((a, b) => a.name.localeCompare(b.name)),
    nodes: nodes
      .map((n) => ({ name: n.Name, address: n.Address, status: n.Status, version: n.Version, drivers: Object.entries(n.Drivers ?? {}).filter(([, d]) => d.Healthy).map(([k]) => k).sort() }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

export function clusterStatusLines(name: string, s: ClusterStatus): string[] {
  const alive = s.servers.filter((m) => m.status === 'alive').length;
  return [
    `cluster ${name}: ${alive} of ${s.servers.length} servers alive, leader ${s.leader || 'none'}`,
    '',
    ...table(['SERVER', 'ADDRESS', 'STATUS', 'VERSION', 'LEADER'], s.servers.map((m) => [m.name, m.address, m.status, m.version, m.leader ? 'yes' : ''])),
    '',
    ...table(['NODE', 'ADDRESS', 'STATUS', 'VERSION', 'DRIVERS'], s.nodes.map((n) => [n.name, n.address, n.status, n.version, n.drivers.join(',')])),
  ];
}
