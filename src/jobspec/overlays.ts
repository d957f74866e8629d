import { InputError } from '../errors.js';
import type { NomadJob, Task, TaskGroup } from './nomad-job.js';

/**
 * The HCL files a repository may keep at its root to change the house job, as the existing
 * system reads them: vars.nomad (variable declarations), job.nomad (job-level blocks),
 * group.nomad (group-level blocks: more tasks, volumes…), or a whole project.nomad that
 * replaces the house job. Nomad parses the HCL (POST /v1/jobs/parse); this file only builds
 * what to parse and merges the result.
 */
export interface Overlays {
  readonly vars?: string | undefined;
  readonly job?: string | undefined;
  readonly group?: string | undefined;
  readonly project?: string | undefined;
}

export const OVERLAY_FILES = { vars: 'vars.nomad', job: 'job.nomad', group: 'group.nomad', project: 'project.nomad' } as const;

export function hasOverlays(o: Overlays): boolean {
  return Boolean(o.vars || o.job || o.group || o.project);
}

/** What Nomad should parse: the HCL text and its variables as var-file text. */
export interface ParseRequest {
  readonly hcl: string;
  readonly variables: string;
}

/**
 * Builds the HCL to parse. For overlays: vars.nomad, then a job named <slug> holding job.nomad
 * and a group named <slug> holding group.nomad; every variable we provide is declared (as a
 * string) unless vars.nomad declares it. For project.nomad: the file, with the values of the
 * variables it declares. `NOMAD_VAR_SLUG` in the text becomes the slug, as the old sed did.
 */
export function overlayParseRequest(o: Overlays, slug: string, provided: Readonly<Record<string, string>>): ParseRequest {
  const fill = (text: string) => text.replaceAll('NOMAD_VAR_SLUG', slug);
  if (o.project) {
    const hcl = fill(o.project);
    const declared = declaredVariables(hcl);
    return { hcl, variables: varFile(provided, declared, (name) => declared.has(name)) };
  }
  const vars = fill(o.vars ?? '');
  const declared = declaredVariables(vars);
  const auto = Object.keys(provided)
    .filter((name) => !declared.has(name))
    .map((name) => `variable "${name}" {\n  type    = string\n  default = ""\n}`);
  const hcl = [vars, ...auto, `job "${slug}" {`, fill(o.job ?? ''), `  group "${slug}" {`, fill(o.group ?? ''), '  }', '}', ''].join('\n');
  return { hcl, variables: varFile(provided, declared, () => true) };
}

/** `variable "NAME" { type = list(string) … }` → NAME → its type text (string when absent). */
export function declaredVariables(hcl: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of hcl.matchAll(/variable\s+"([A-Za-z_][A-Za-z0-9_-]*)"\s*\{([^}]*)\}?/g)) {
    const type = /\btype\s*=\s*([^\n]+)/.exec(m[2] ?? '')?.[1]?.trim() ?? 'string';
    out.set(m[1]!, type);
  }
  return out;
}

/** Var-file lines: strings quoted (HCL's `${` and `%{` escaped); declared non-strings as written. */
function varFile(provided: Readonly<Record<string, string>>, declared: Map<string, string>, include: (name: string) => boolean): string {
  return Object.entries(provided)
    .filter(([name]) => include(name))
    .map(([name, value]) => {
      const type = declared.get(name) ?? 'string';
      const literal = type === 'string' ? JSON.stringify(value).replaceAll('${', () => '$${').replaceAll('%{', () => '%%{') : value;
      return `${name} = ${literal}`;
    })
    .join('\n');
}

const DRIVERS = ['docker', 'podman'];

/** Refuses any task whose driver is not docker or podman, naming the file and the task. */
export function checkDrivers(job: NomadJob, source: string): void {
  const bad = job.TaskGroups.flatMap((g) => g.Tasks.filter((t) => !DRIVERS.includes(t.Driver)).map((t) => `${source}: task "${t.Name}" in group "${g.Name}" uses the ${t.Driver || 'default'} driver: only docker and podman tasks may be deployed`));
  if (bad.length) throw new InputError(bad);
}

type Loose = Record<string, unknown>;
const present = (v: unknown) => v !== null && v !== undefined;

/**
 * Merges what job.nomad and group.nomad set (a job parsed without defaults, so unset fields are
 * null) into the house job: job fields override, Meta merges, lists append; in the house group,
 * tasks, services and constraints append, volumes and meta merge; other groups are added. A
 * batch type drops the service-only update, migrate and services.
 */
export function mergeOverlay(house: NomadJob, overlay: NomadJob): NomadJob {
  const job = structuredClone(house) as unknown as Loose;
  for (const [key, value] of Object.entries(overlay as unknown as Loose)) {
    if (!present(value) || ['ID', 'Name', 'TaskGroups', 'Namespace', 'Region', 'Datacenters', 'Dispatched'].includes(key)) continue;
    job[key] = mergeValue(job[key], value);
  }
  const merged = job as unknown as NomadJob;
  // nom's own meta (where the job came from, which secrets it reads) is not an overlay's to change.
  merged.Meta = { ...merged.Meta, ...Object.fromEntries(Object.entries(house.Meta ?? {}).filter(([k]) => k.startsWith('nom_'))) };
  for (const og of overlay.TaskGroups ?? []) {
    const target = merged.TaskGroups.find((g) => g.Name === og.Name);
    if (!target) {
      merged.TaskGroups.push(og);
      continue;
    }
    const group = target as unknown as Loose;
    for (const [key, value] of Object.entries(og as unknown as Loose)) {
      if (!present(value) || key === 'Name') continue;
      if (key === 'Tasks') target.Tasks = [...target.Tasks, ...(value as Task[])];
      else group[key] = mergeValue(group[key], value);
    }
  }
  if (merged.Type === 'batch') {
    for (const g of merged.TaskGroups as (TaskGroup & Loose)[]) {
      delete g.Update;
      delete g.Migrate;
      delete g.Services;
    }
  }
  return merged;
}

function mergeValue(base: unknown, add: unknown): unknown {
  if (Array.isArray(add)) return [...(Array.isArray(base) ? base : []), ...add];
  if (typeof add === 'object' && add && typeof base === 'object' && base && !Array.isArray(base)) return { ...(base as Loose), ...(add as Loose) };
  return add;
}
