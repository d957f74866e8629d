import { useEffect, useState } from 'preact/hooks';
import type { Live } from './live-cluster.js';
import { ApiError, type NodeRow, type NomadApi } from './nomad-api.js';
import { Columns } from './overview-page.js';

interface NodeFigures {
  readonly node: NodeRow;
  /** MHz and MiB: what the node offers jobs, what allocations reserve, what is in use (when the token may read the node's stats). */
  readonly cpu: { readonly total: number; readonly allocated: number; readonly usedTicks: number | undefined };
  readonly memory: { readonly total: number; readonly allocated: number; readonly used: number | undefined };
}

const percent = (part: number, whole: number) => (whole ? `${Math.round((100 * part) / whole)}%` : '—');

/** Nodes with their resources (needs node:read), and the ingress: routes, owners and refused claims of the jobs this token may see. */
export function ClusterPage({ api, live }: { api: NomadApi; live: Live }) {
  const [nodes, setNodes] = useState<NodeFigures[] | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  useEffect(() => {
    let cancelled = false;
    const read = async () => {
      try {
        const [list, allocs] = await Promise.all([api.nodes(), api.allocatedResources()]);
        const figures = await Promise.all(
          list.map(async (node) => {
            const mine = allocs.filter((a) => a.NodeID === node.ID && a.ClientStatus === 'running');
            const tasks = mine.flatMap((a) => Object.values(a.AllocatedResources?.Tasks ?? {}));
            const stats = await api.nodeStats(node.ID).catch(() => undefined);
            return {
              node,
              cpu: { total: (node.NodeResources?.Cpu?.CpuShares ?? 0) - (node.ReservedResources?.Cpu?.CpuShares ?? 0), allocated: tasks.reduce((n, t) => n + (t.Cpu?.CpuShares ?? 0), 0), usedTicks: stats?.CPUTicksConsumed },
              memory: {
                total: (node.NodeResources?.Memory?.MemoryMB ?? 0) - (node.ReservedResources?.Memory?.MemoryMB ?? 0),
                allocated: tasks.reduce((n, t) => n + (t.Memory?.MemoryMB ?? 0), 0),
                used: stats && Math.round(stats.Memory.Used / 2 ** 20),
              },
            };
          }),
        );
        if (!cancelled) (setNodes(figures), setProblem(undefined));
      } catch (e) {
        // A deploy token may read its jobs, not the nodes: say what it lacks.
        const denied = e instanceof ApiError && e.status === 403;
        if (!cancelled) setProblem(denied ? 'This token may not read the nodes (it needs node:read); the routes below are those of its jobs.' : (e as Error).message);
      }
    };
    void read();
    const every = setInterval(read, 10_000);
    return () => {
      cancelled = true;
      clearInterval(every);
    };
  }, [api]);
  const ingress = live.ingress;
  return (
    <main>
      <h1>Cluster</h1>
      <h2>Nodes</h2>
      {problem && <p class="problem">{problem}</p>}
      {nodes && (
        <table class="nodes">
          <Columns names={['node', 'status', 'Nomad', 'CPU allocated', 'CPU used', 'memory allocated', 'memory used']} />
          <tbody>
            {nodes.map(({ node, cpu, memory }) => (
              <tr key={node.ID} data-node={node.Name}>
                <td data-label="node">
                  {node.Name} <span class="muted small">{node.Address}</span>
                </td>
                <td data-label="status">
                  {node.Status}
                  {node.Drain ? ', draining' : node.SchedulingEligibility !== 'eligible' ? ', ineligible' : ''}
                </td>
                <td data-label="Nomad">{node.Version}</td>
                <td data-label="CPU allocated">
                  {cpu.allocated} of {cpu.total} MHz ({percent(cpu.allocated, cpu.total)})
                </td>
                <td data-label="CPU used">{cpu.usedTicks === undefined ? '—' : `${Math.round(cpu.usedTicks)} MHz (${percent(cpu.usedTicks, cpu.total)})`}</td>
                <td data-label="memory allocated">
                  {memory.allocated} of {memory.total} MiB ({percent(memory.allocated, memory.total)})
                </td>
                <td data-label="memory used">{memory.used === undefined ? '—' : `${memory.used} MiB`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Routes</h2>
      {!ingress ? (
        <p class="muted">The router does not answer.</p>
      ) : (
        <table class="routes">
          <Columns names={['hostname', 'owner', 'instances']} />
          <tbody>
            {ingress.routes.map((r) => (
              <tr key={`${r.scheme}${r.host}`}>
                <td data-label="hostname">
                  {r.scheme}://{r.host}
                </td>
                <td data-label="owner">{r.owner}</td>
                <td data-label="instances">{r.instances || <span class="problem">none healthy</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {ingress && ingress.refused.length > 0 && (
        <>
          <h2>Refused claims</h2>
          <ul class="refused">
            {ingress.refused.map((c) => (
              <li key={`${c.host} ${c.claimant}`}>
                {c.claimant} claims {c.host}, which belongs to {c.owner ?? 'a job of another namespace'}
              </li>
            ))}
          </ul>
        </>
      )}
      {ingress && ingress.records.length > 0 && (
        <>
          <h2>Hostname owners</h2>
          <ul class="records">
            {ingress.records.map((r) => (
              <li key={r.host}>
                {r.host} belongs to {r.owner} since {r.since}
              </li>
            ))}
          </ul>
        </>
      )}
    </main>
  );
}
