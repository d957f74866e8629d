import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OVERLAY_FILES, type Overlays } from '../jobspec/overlays.js';

/** Reads vars.nomad, job.nomad, group.nomad and project.nomad from a directory, where present. */
export function readOverlayFiles(dir: string): Overlays {
  const read = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : undefined);
  return { vars: read(OVERLAY_FILES.vars), job: read(OVERLAY_FILES.job), group: read(OVERLAY_FILES.group), project: read(OVERLAY_FILES.project) };
}
