import { InputError } from '../errors.js';
import { NOMAD_VERSION } from './versions.js';

/**
 * Which Nomad releases nom works with, and what it says about the others. Pure.
 *
 * nom is built and tested on Nomad 1.6.3, the newest release under the MPL-2.0. From 1.7.0 on
 * Nomad is published under the Business Source License 1.1, which is not an open-source
 * licence: nom never installs such a release unless an operator names it, and says so.
 */
export type Version = readonly [major: number, minor: number, patch: number];

/** The oldest Nomad nom supports: the release line it is tested on. */
export const OLDEST_SUPPORTED: Version = [1, 6, 0];
/** The first release under the Business Source License. */
export const FIRST_BUSL: Version = [1, 7, 0];

/** "1.6.3", "v1.6.3", "1.6.3-dev" or "Nomad v1.6.3 (…)" → [1, 6, 3]; undefined when none. */
export function parseVersion(text: string): Version | undefined {
  const m = /(?:^|[^\d.])v?(\d+)\.(\d+)\.(\d+)/.exec(` ${text}`);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

const show = (v: Version) => v.join('.');

/**
 * What to tell an operator about a Nomad they run: undefined for 1.6.x, a warning otherwise.
 * `who` names the machine ("node web-1", "this machine's nomad").
 */
export function nomadVersionNote(who: string, version: string): string | undefined {
  const v = parseVersion(version);
  if (!v) return `${who} runs a Nomad whose version nom cannot read (${JSON.stringify(version)}); nom is tested on ${NOMAD_VERSION}`;
  if (compareVersions(v, OLDEST_SUPPORTED) < 0) {
    return `${who} runs Nomad ${show(v)}, older than ${show(OLDEST_SUPPORTED)}: nom supports 1.6 and is tested on ${NOMAD_VERSION}; upgrade it`;
  }
  if (compareVersions(v, FIRST_BUSL) >= 0) {
    return `${who} runs Nomad ${show(v)}, which is under the Business Source License (1.7.0 and later), not an open-source licence; nom is tested on ${NOMAD_VERSION}`;
  }
  return undefined;
}

/** Only the "too old" warnings, for the overviews (`nom nodes`, `nom cluster status`). */
export function tooOldNotes(machines: readonly { readonly name: string; readonly version: string; readonly kind: 'node' | 'server' }[]): string[] {
  return machines.flatMap((m) => {
    const v = parseVersion(m.version);
    return v && compareVersions(v, OLDEST_SUPPORTED) < 0 ? [nomadVersionNote(`${m.kind} ${m.name}`, m.version)!] : [];
  });
}

/**
 * `--nomad-version`: a release number nom can install. Older than 1.6 is refused; 1.7.0 and
 * later are allowed (the operator's choice) with the warning `nomadVersionNote` gives.
 */
export function requestedNomadVersion(text: string): string {
  const t = text.trim().replace(/^v/, '');
  const v = /^\d+\.\d+\.\d+$/.test(t) ? parseVersion(t) : undefined;
  if (!v) throw InputError.of(`--nomad-version ${JSON.stringify(text)} is not a Nomad release number like ${NOMAD_VERSION}`);
  if (compareVersions(v, OLDEST_SUPPORTED) < 0) {
    throw InputError.of(`--nomad-version ${t}: nom needs Nomad ${show(OLDEST_SUPPORTED)} or newer; it is tested on ${NOMAD_VERSION} (the default)`);
  }
  return t;
}
