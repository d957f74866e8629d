import type { HostStats, NodeAllocation, NodeListStub } from '../nomad/nodes.js';
import { type Paint, plainPaint, table } from './terminal-text.js';

/** One node, as `nom nodes` shows it (and `--json` prints). */
export interface NodeRow {
  readonly id: string;
  readonly name: string;
  readonly address: string;
  readonly datacenter: string;
  readonly version: string;
  readonly status: string;
  readonly eligible: boolean;
  readonly draining: boolean;
  readonly drivers: readonly string[];
  readonly allocations: number;
  /** MHz and MB: what the node offers to jobs, what their allocations reserve, what it uses now. */
  readonly cpu: { readonly total: number; readonly allocated: number; readonly usedPercent: number | undefined };
  readonly memory: { readonly total: number; readonly allocated: number; readonly used: number | undefined };
}

/** A node with what runs on it and what it measures (stats undefined when the node does not answer). Pure. */
export function nodeRow(node: NodeListStub, allocations: readonly NodeAllocation[], stats: HostStats | undefined): NodeRow {
  const running = allocations.filter((a) => a.ClientStatus === 'running' || a.ClientStatus === 'pending');
  const tasks = running.flatMap((a) => Object.values(a.AllocatedResources?.Tasks ?? {}));
  const cpus = stats?.CPU ?? [];
  return {
    id: node.ID,
    name: node.Name,
    address: node.Address,
    datacenter: node.Datacenter,
    version: node.Version,
    status: node.Status,
    eligible: node.SchedulingEligibility === 'eligible',
    draining: node.Drain,
    drivers: Object.entries(node.Drivers ?? {}).filter(([, d]) => d.Detected && d.Healthy).map(([name]) => name).sort(),
    allocations: running.length,
    cpu: {
      total: (node.NodeResources?.Cpu.CpuShares ?? 0) - (node.ReservedResources?.Cpu.CpuShares ?? 0),
      allocated: tasks.reduce((n, t) => n + (t.Cpu?.CpuShares ?? 0), 0),
      usedPercent: cpus.length ? Math.round(cpus.reduce((n, c) => n + c.TotalPercent, 0) / cpus.length) : undefined,
    },
    memory: {
      total: (node.NodeResources?.Memory.MemoryMB ?? 0) - (node.ReservedResources?.Memory.MemoryMB ?? 0),
      allocated: tasks.reduce((n, t) => n + (t.Memory?.MemoryMB ?? 0), 0),
      used: stats ? Math.round(stats.Memory.Used / 2 ** 20) : undefined,
    },
  };
}

export function nodeLines(rows: readonly NodeRow[], paint: Paint = plainPaint): string[] {
  if (!rows.length) return ['no nodes'];
  const pct = (part: number, whole: number) => (whole ? `${Math.round((100 * part) / whole)}%` : '-');
  return table(
    ['NAME', 'STATUS', 'ADDRESS', 'VERSION', 'DRIVERS', 'ALLOCS', 'CPU MHZ (ALLOCATED, USED)', 'MEMORY MB (ALLOCATED, USED)'],
    rows.map((r) => [
      r.name,
      [r.status, r.eligible ? '' : 'ineligible', r.draining ? 'draining' : ''].filter(Boolean).join(', '),
      r.address,
      r.version,
      r.drivers.join(',') || '-',
      String(r.allocations),
      `${r.cpu.allocated}/${r.cpu.total} (${pct(r.cpu.allocated, r.cpu.total)}, ${r.cpu.usedPercent === undefined ? '?' : `${r.cpu.usedPercent}%`})`,
      `${r.memory.allocated}/${r.memory.total} (${pct(r.memory.allocated, r.memory.total)}, ${r.memory.used === undefined ? '?' : `${r.memory.used} MB`})`,
    ]),
    (col, value) => (col === 1 ? paint(value, value === 'ready' ? 'green' : value.startsWith('ready') ? 'yellow' : 'red') : value),
  );
}
