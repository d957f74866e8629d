import { InputError } from '../errors.js';
import { pvDirectory, pvVolume } from '../jobspec/host-volumes.js';

/**
 * Settings every Nomad agent nom configures shares (local and over SSH), for nom's trust model:
 * whoever may push a branch may submit a job, so the nodes offer only what nom deploys. Pure.
 */

/**
 * Task drivers the nodes do not load. nom deploys containers only (docker, or the podman
 * plugin). raw_exec runs as root on the host; exec and java isolate with the libcontainer that
 * Nomad 1.6.3 itself links (runc 1.1.8, before the fix for CVE-2024-21626), not Docker's; qemu
 * boots whatever image it is given. A token that may submit jobs must reach none of them.
 */
export const DENIED_DRIVERS: readonly string[] = ['exec', 'java', 'qemu', 'raw_exec'];

/** The client `options` entry that keeps them from loading. */
export function driverDenylist(): Record<string, string> {
  return { 'driver.denylist': DENIED_DRIVERS.join(',') };
}

/**
 * The docker plugin's configuration. By default it mounts no host path (`volumes` off: a job
 * gets host directories only as host volumes, which Nomad checks against the token's policy),
 * runs nothing privileged and adds only Nomad's default capabilities, whatever a token submits.
 * `hostPaths` turns host paths back on, for clusters where every pusher administers the nodes
 * (the system nom replaces mounted host paths so). `extra` adds what a node needs besides.
 */
export function dockerPluginConfig(o: { hostPaths: boolean }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    volumes: [{ enabled: o.hostPaths }],
    allow_privileged: false,
    // Nomad's default list, written out so that what a container may get is read here.
    allow_caps: ['audit_write', 'chown', 'dac_override', 'fowner', 'fsetid', 'kill', 'mknod', 'net_bind_service', 'setfcap', 'setgid', 'setpcap', 'setuid', 'sys_chroot'],
    // Label containers with the node and job, so nom finds every one of this cluster's.
    extra_labels: ['node_id', 'job_name', 'task_name'],
    ...extra,
  };
}

/** The host volumes of the namespaces' persistent directories, `pv-<ns>` at /pv/<ns>. */
export function pvHostVolumes(namespaces: readonly string[]): Record<string, { path: string; read_only: boolean }> {
  return Object.fromEntries([...new Set(namespaces)].map((ns) => [pvVolume(ns), { path: pvDirectory(ns), read_only: false }]));
}

/** A directory the operator offers jobs as a named host volume (`--host-volume name=/dir[:ro]`). */
export interface DeclaredHostVolume {
  readonly name: string;
  readonly path: string;
  readonly readOnly: boolean;
}

/** Reads `name=/dir[:ro]`; the error names the flag. nom's own volumes (home-*, pv-*) are not for declaring. */
export function parseHostVolume(text: string, flag = '--host-volume'): DeclaredHostVolume {
  const m = /^([a-zA-Z0-9][a-zA-Z0-9_.-]*)=(\/[a-zA-Z0-9_.\/@+-]*)(:ro)?$/.exec(text);
  if (!m) throw InputError.of(`${flag} ${JSON.stringify(text)} is not name=/dir or name=/dir:ro (a name of letters, digits, ".", "_", "-"; a directory of letters, digits and ./_-@+)`);
  if (/^(home-|pv-)/.test(m[1]!)) throw InputError.of(`${flag} ${JSON.stringify(text)}: names starting with home- or pv- are nom's own (NOMAD_VAR_HOME, NOMAD_VAR_PERSISTENT_VOLUME)`);
  return { name: m[1]!, path: m[2]!.replace(/(.)\/$/, '$1'), readOnly: Boolean(m[3]) };
}

/** The client's host_volume entries for `declared`. */
export function declaredHostVolumes(declared: readonly DeclaredHostVolume[]): Record<string, { path: string; read_only: boolean }> {
  return Object.fromEntries(declared.map((v) => [v.name, { path: v.path, read_only: v.readOnly }]));
}
