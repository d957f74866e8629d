import { CommandError } from '../errors.js';
import type { RegisteredJob } from '../nomad/jobs.js';
import { ago, type Paint, plainPaint, table } from './terminal-text.js';

/** One version of a job, as `nom history` shows it (and `--json` prints). */
export interface VersionRow {
  readonly version: number;
  readonly submitted: string;
  readonly stable: boolean;
  readonly current: boolean;
  readonly images: readonly string[];
  readonly commit: string | undefined;
}

const images = (job: RegisteredJob) => [...new Set(job.TaskGroups.flatMap((g) => g.Tasks.map((t) => String((t.Config as { image?: unknown }).image ?? '')).filter(Boolean)))];

/** A job's versions, newest first, with what each ran. Pure. */
export function versionRows(versions: readonly RegisteredJob[], current: number): VersionRow[] {
  return [...versions]
    .sort((a, b) => b.Version - a.Version)
    .map((v) => ({
      version: v.Version,
      submitted: new Date(v.SubmitTime / 1e6).toISOString(),
      stable: v.Stable,
      current: v.Version === current,
      images: images(v),
      commit: v.Meta?.nom_commit,
    }));
}

export function historyLines(rows: readonly VersionRow[], o: { now: number; paint?: Paint }): string[] {
  const paint = o.paint ?? plainPaint;
  return table(
    ['VERSION', 'SUBMITTED', 'STABLE', 'IMAGE', 'COMMIT'],
    rows.map((r) => [`${r.version}${r.current ? ' (current)' : ''}`, `${ago(o.now - Date.parse(r.submitted))} ago`, r.stable ? 'yes' : 'no', r.images.join(', ') || '-', r.commit?.slice(0, 12) ?? '-']),
    (col, value) => (col === 0 && value.endsWith('(current)') ? paint(value, 'bold') : col === 2 ? paint(value, value === 'yes' ? 'green' : 'yellow') : value),
  );
}

/** What a version runs: two versions that run the same are the same deployment. */
const runs = (j: RegisteredJob) => JSON.stringify([j.TaskGroups, j.Meta]);

/**
 * The version `nom rollback` goes back to: the one asked for, or the newest stable version
 * before the current one that runs something else (after an automatic revert, the version
 * just before is often the current one again). Pure.
 */
export function rollbackTarget(versions: readonly RegisteredJob[], job: Pick<RegisteredJob, 'ID' | 'Version'>, asked?: number): RegisteredJob {
  const current = versions.find((v) => v.Version === job.Version);
  if (asked !== undefined) {
    const chosen = versions.find((v) => v.Version === asked);
    if (!chosen) throw new CommandError(`job ${job.ID} has no version ${asked}; it keeps ${versions.map((v) => v.Version).sort((a, b) => a - b).join(', ')} (\`nom history ${job.ID}\`)`);
    if (asked === job.Version) throw new CommandError(`version ${asked} is the current version of ${job.ID}`);
    return chosen;
  }
  const earlier = [...versions].filter((v) => v.Version < job.Version && v.Stable).sort((a, b) => b.Version - a.Version);
  const chosen = earlier.find((v) => !current || runs(v) !== runs(current));
  if (!chosen) throw new CommandError(`job ${job.ID} has no earlier stable version that runs something else to roll back to (\`nom history ${job.ID}\` lists its versions)`);
  return chosen;
}
