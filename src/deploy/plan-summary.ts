import type { JobPlanResponse, ObjectDiff } from '../nomad/jobs.js';

/**
 * A plan in a few human lines: what image, what count, what else changes, and what Nomad will
 * do (canaries, replacements). Pure: Nomad's plan response in, lines out.
 */
export function planSummary(plan: JobPlanResponse): string[] {
  const diff = plan.Diff;
  if (!diff || diff.Type === 'None') return ['no changes: this version is already deployed'];
  const lines: string[] = [];
  if (diff.Type === 'Added') {
    lines.push(`new job ${diff.ID}`);
  } else {
    const changes: string[] = [];
    for (const group of diff.TaskGroups ?? []) {
      for (const f of group.Fields ?? []) if (f.Type !== 'None' && f.Name === 'Count') lines.push(`count ${f.Old} → ${f.New}`);
      for (const task of group.Tasks ?? []) {
        const config = task.Objects?.find((o) => o.Name === 'Config');
        const image = config?.Fields?.find((f) => f.Name === 'image' && f.Type !== 'None');
        if (image) lines.push(`image ${image.Old} → ${image.New}`);
        changes.push(...changedPaths(task, `task ${task.Name}`).filter((p) => !p.endsWith('Config.image')));
      }
      changes.push(...changedPaths({ ...group, Objects: group.Objects }, `group ${group.Name}`).filter((p) => !p.endsWith('.Count')));
    }
    changes.push(...changedPaths({ ...diff, Objects: diff.Objects }, 'job'));
    const unique = [...new Set(changes)];
    if (unique.length) lines.push(`also changes: ${unique.slice(0, 6).join(', ')}${unique.length > 6 ? `, and ${unique.length - 6} more` : ''}`);
  }
  for (const [group, updates] of Object.entries(plan.Annotations?.DesiredTGUpdates ?? {})) {
    const what = Object.entries(updates)
      .filter(([, n]) => n > 0)
      .map(([kind, n]) => `${n} ${ACTIONS[kind] ?? kind}`);
    if (what.length) lines.push(`group ${group}: ${what.join(', ')}`);
  }
  return lines;
}

const ACTIONS: Record<string, string> = {
  Place: 'to place',
  Canary: 'canary',
  DestructiveUpdate: 'to replace',
  InPlaceUpdate: 'to update in place',
  Stop: 'to stop',
  Migrate: 'to migrate',
  Ignore: 'unchanged',
  Preemptions: 'to preempt',
  Reconnect: 'to reconnect',
};

/** Paths of the fields and objects that changed, like `job.Meta.nom_commit`. */
function changedPaths(diff: Pick<ObjectDiff, 'Fields' | 'Objects' | 'Type'>, at: string): string[] {
  const out: string[] = [];
  for (const f of diff.Fields ?? []) if (f.Type !== 'None') out.push(`${at}.${f.Name}`);
  for (const o of diff.Objects ?? []) {
    if (o.Type === 'None') continue;
    const inner = changedPaths(o, `${at}.${o.Name}`);
    out.push(...(inner.length && o.Type === 'Edited' ? inner : [`${at}.${o.Name}`]));
  }
  return out;
}
