import type { Command } from 'commander';
import { tooOldNotes } from '../cluster/nomad-version.js';
import { nodeLines, nodeRow } from '../operate/node-overview.js';
import { paintFor, type Output } from './output.js';
import { withCluster } from './cluster-access.js';

/** `nom nodes`: each node's state, drivers and capacity. */
export function registerNodes(program: Command, out: Output): void {
  program
    .command('nodes')
    .description('the cluster\'s nodes: status, drivers, and CPU and memory offered, allocated and used')
    .option('--json', 'print the nodes as JSON')
    .action(async (opts: { json?: boolean }) =>
      withCluster(async (nomad) => {
        const nodes = await nomad.nodes.list();
        const rows = await Promise.all(
          nodes.map(async (n) => nodeRow(n, await nomad.nodes.allocations(n.ID), n.Status === 'ready' ? await nomad.nodes.stats(n.ID).catch(() => undefined) : undefined)),
        );
        for (const note of tooOldNotes(rows.map((r) => ({ ...r, kind: 'node' as const })))) out.say(`warning: ${note}`);
        out.result(opts.json ? JSON.stringify(rows, null, 2) : nodeLines(rows, paintFor()).join('\n'));
      }),
    );
}
