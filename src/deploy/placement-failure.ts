import type { AllocationMetric } from '../nomad/evaluations.js';

/**
 * Nomad's reasons for not placing a group, in words: "not enough memory on 1 of 1 nodes",
 * "no node has the podman driver"… Pure: the scheduler's metrics in, one line per group out.
 */
export function placementFailures(failed: Record<string, AllocationMetric> | null | undefined): string[] {
  return Object.entries(failed ?? {}).map(([group, m]) => `cannot place group ${group}: ${reasons(m).join('; ')}`);
}

function reasons(m: AllocationMetric): string[] {
  const out: string[] = [];
  const available = Object.values(m.NodesAvailable ?? {}).reduce((a, b) => a + b, 0);
  if (m.NodesEvaluated === 0 && available === 0) out.push('no nodes are available in the job\'s datacenters and node pool');
  for (const [dimension, n] of Object.entries(m.DimensionExhausted ?? {})) {
    out.push(`not enough ${dimension.replace(/ exhausted$/, '')} on ${n} of ${m.NodesEvaluated} node${m.NodesEvaluated === 1 ? '' : 's'}`);
  }
  for (const [constraint, n] of Object.entries(m.ConstraintFiltered ?? {})) {
    out.push(`${n} node${n === 1 ? '' : 's'} filtered out by ${constraint}`);
    // The usual cause: a namespace whose nodes were not given its persistent directory.
    if (constraint === 'missing compatible host volumes') {
      out.push('NOMAD_VAR_PERSISTENT_VOLUME needs the host volume pv-<namespace> on the nodes: `nom up --namespace <namespace>` or `nom cluster create --namespace <namespace>` gives them /pv/<namespace>');
    }
    // Services registered in Consul: Nomad places them only on nodes whose client found Consul.
    if (constraint.startsWith('${attr.consul.version}')) {
      out.push('the services register in Consul, which no such node runs: deploy with NOMAD_VAR_SERVICE_PROVIDER=nomad, or run Consul beside Nomad (`nom up --consul`)');
    }
  }
  for (const [cls, n] of Object.entries(m.ClassFiltered ?? {})) out.push(`${n} node${n === 1 ? '' : 's'} of class ${cls} filtered out`);
  for (const quota of m.QuotaExhausted ?? []) out.push(`quota exhausted: ${quota}`);
  if (!out.length && m.NodesExhausted) out.push(`resources exhausted on ${m.NodesExhausted} node${m.NodesExhausted === 1 ? '' : 's'}`);
  if (!out.length) out.push('the scheduler found no feasible node');
  if (m.CoalescedFailures) out.push(`${m.CoalescedFailures} more allocation${m.CoalescedFailures === 1 ? '' : 's'} failed the same way`);
  return out;
}
