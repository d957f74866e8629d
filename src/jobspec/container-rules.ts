import { posix } from 'node:path';
import { homeVolume, pvVolume } from './host-volumes.js';
import type { NomadJob } from './nomad-job.js';

/**
 * What a namespace's jobs may use on the nodes, as its operator granted it (`nom grants`). A
 * pipeline holds the namespace's token and sets every NOMAD_VAR_*, so these decide what a push
 * can reach beyond its container. The default grants nothing beyond the namespace's own
 * persistent directory, /pv/<namespace> (the host volume pv-<namespace>).
 */
export interface NamespaceGrants {
  /** The seed's behaviour, for clusters where everyone who can push administers the nodes: no rule applies. */
  readonly trusted: boolean;
  /** NOMAD_VAR_NETWORK_MODE=host: the node's network, its loopback services included. */
  readonly hostNetwork: boolean;
  /** Host directories that NOMAD_VAR_VOLUMES and NOMAD_VAR_BIND_MOUNTS may pass in (and all below them). */
  readonly hostPaths: readonly string[];
  /** The nodes' /home (NOMAD_VAR_HOME): read-only, or read-write. */
  readonly home: 'none' | 'ro' | 'rw';
  /** Host volumes the operator declared on the nodes (`nom up --host-volume`), by name, with the directory they are. */
  readonly hostVolumes: readonly HostVolumeGrant[];
}

export interface HostVolumeGrant {
  readonly name: string;
  /** The directory on the nodes: a VOLUMES or BIND_MOUNTS entry of exactly this path mounts the volume. */
  readonly path: string;
  readonly readOnly: boolean;
}

export const NO_GRANTS: NamespaceGrants = { trusted: false, hostNetwork: false, hostPaths: [], home: 'none', hostVolumes: [] };

/** Where a refused value came from, for the one line that refuses it: a setting or an overlay file. */
export type Origin = (task: string, field: ContainerField) => string;

export type ContainerField = 'volumes' | 'mount' | 'network_mode' | 'home' | 'option' | 'group network';

export interface ContainerProblem {
  /** Identifies the value, so the same one is not reported twice (from settings and from the final job). */
  readonly key: string;
  readonly line: string;
}

/** docker driver options that reach past the container, which Nomad 1.6 does not gate (or only by node config). */
const NEVER = ['privileged', 'cap_add', 'pid_mode', 'ipc_mode', 'uts_mode', 'userns_mode', 'devices', 'security_opt', 'runtime', 'sysctl', 'volume_driver', 'cgroupns'];

const present = (v: unknown) => v !== undefined && v !== null && v !== false && v !== '' && !(Array.isArray(v) && v.length === 0) && !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);

/** Whether `path` (absolute) is `dir` or below it, after resolving `.` and `..`. */
const within = (path: string, dir: string) => {
  const p = posix.normalize(path);
  const d = posix.normalize(dir).replace(/\/$/, '');
  return p === d || p.startsWith(`${d}/`) || d === '';
};

/**
 * The container options of `job` that `grants` do not allow, one line each, naming where each
 * came from. Pure.
 */
export function containerProblems(job: NomadJob, grants: NamespaceGrants, origin: Origin): ContainerProblem[] {
  if (grants.trusted) return [];
  const problems: ContainerProblem[] = [];
  const refuse = (key: string, line: string) => problems.push({ key, line });
  const hostPath = (group: string, task: string, field: 'volumes' | 'mount', source: string) => {
    if (grants.hostPaths.some((dir) => within(source, dir))) return;
    refuse(`${group}/${task}/${field}/${source}`, `${origin(task, field)}: the host path ${source} is not granted to namespace ${job.Namespace} (task "${task}"): an operator grants host paths with \`nom grants ${job.Namespace} --host-path <dir>\``);
  };
  // Nomad 1.6 checks a relative source only by its name, and Docker follows links: a container
  // that makes its /local/x a link to / gets the node's root at its next start (docs/nomad-version.md).
  const relative = (group: string, task: string, field: 'volumes' | 'mount', source: string) =>
    refuse(`${group}/${task}/${field}/${source}`, `${origin(task, field)}: task "${task}" mounts "${source}" from its allocation directory, where the container can put a link to any path on the node: not allowed (the job's files are in /local, /alloc and /secrets already)`);
  for (const group of job.TaskGroups) {
    // A group's "host" mode is Nomad's default (ports on the node, tasks still in Docker's bridge);
    // the node's own network is the task's network_mode, below.
    for (const network of group.Networks ?? []) {
      if (network.Mode && !['bridge', 'host', 'none'].includes(network.Mode)) refuse(`${group.Name}/network/${network.Mode}`, `${origin(group.Name, 'group network')}: group "${group.Name}" asks for network mode ${network.Mode}: not allowed`);
    }
    for (const [name, volume] of Object.entries(group.Volumes ?? {})) {
      const source = volume.Source ?? name;
      const home = source === homeVolume('ro') ? 'ro' : source === homeVolume('rw') ? 'rw' : undefined;
      const named = grants.hostVolumes.find((v) => v.name === source);
      if (named && named.readOnly && !volume.ReadOnly) {
        refuse(`${group.Name}/volume/${source}`, `${origin(group.Name, 'home')}: group "${group.Name}" mounts the host volume ${source} read-write: namespace ${job.Namespace} is granted it read-only`);
        continue;
      }
      const allowed = (source === pvVolume(job.Namespace) && volume.Type === 'host') || (home !== undefined && (grants.home === 'rw' || grants.home === home)) || named !== undefined;
      if (!allowed) refuse(`${group.Name}/volume/${source}`, `${origin(group.Name, 'home')}: group "${group.Name}" mounts the host volume ${source}: not granted to namespace ${job.Namespace}${home ? ` (\`nom grants ${job.Namespace} --home ${home}\`)` : ''}`);
    }
    for (const task of group.Tasks) {
      if (task.Driver !== 'docker' && task.Driver !== 'podman') continue; // checkDrivers refuses the others
      const config = (task.Config ?? {}) as Record<string, unknown>;
      for (const option of NEVER) {
        if (present(config[option])) refuse(`${group.Name}/${task.Name}/${option}`, `${origin(task.Name, 'option')}: task "${task.Name}" sets ${option}, which reaches past the container: nom never deploys it`);
      }
      const mode = typeof config.network_mode === 'string' ? config.network_mode : '';
      if (mode === 'host' && !grants.hostNetwork) refuse(`${group.Name}/${task.Name}/network_mode`, `${origin(task.Name, 'network_mode')}: task "${task.Name}" asks for the node's network: not granted to namespace ${job.Namespace} (\`nom grants ${job.Namespace} --host-network\`)`);
      else if (mode && mode !== 'host' && mode !== 'bridge' && mode !== 'default' && mode !== 'none') refuse(`${group.Name}/${task.Name}/network_mode`, `${origin(task.Name, 'network_mode')}: task "${task.Name}" asks for network mode ${mode}: not allowed`);
      for (const volume of Array.isArray(config.volumes) ? (config.volumes as unknown[]) : []) {
        const source = String(volume).split(':')[0] ?? '';
        if (source.startsWith('/')) hostPath(group.Name, task.Name, 'volumes', source);
        else relative(group.Name, task.Name, 'volumes', source);
      }
      for (const mount of Array.isArray(config.mount) ? (config.mount as Record<string, unknown>[]) : config.mount ? [config.mount as Record<string, unknown>] : []) {
        const type = String(mount.type ?? 'volume');
        const source = String(mount.source ?? '');
        if (type === 'tmpfs') continue;
        if (type === 'bind' && source.startsWith('/')) hostPath(group.Name, task.Name, 'mount', source);
        else if (type === 'bind') relative(group.Name, task.Name, 'mount', source);
        else refuse(`${group.Name}/${task.Name}/mount/${type}/${source}`, `${origin(task.Name, 'mount')}: task "${task.Name}" mounts a ${type} "${source}": only bind mounts of granted host paths are allowed`);
      }
    }
  }
  return problems;
}

/** Grants as kept in their Nomad Variable's items (all strings). Pure. */
export function grantsFromItems(items: Readonly<Record<string, string>> | undefined): NamespaceGrants {
  if (!items) return NO_GRANTS;
  const home = items.home === 'ro' || items.home === 'rw' ? items.home : 'none';
  const hostVolumes = (items.hostVolumes ?? '').split(',').flatMap((entry) => {
    const m = /^([\w.-]+)=(\/[^:,]*)(:ro)?$/.exec(entry.trim());
    return m ? [{ name: m[1]!, path: m[2]!, readOnly: Boolean(m[3]) }] : [];
  });
  return {
    trusted: items.trusted === 'true',
    hostNetwork: items.hostNetwork === 'true',
    hostPaths: (items.hostPaths ?? '').split(',').map((p) => p.trim()).filter((p) => p.startsWith('/')),
    home,
    hostVolumes,
  };
}

export function grantsToItems(g: NamespaceGrants): Record<string, string> {
  const hostVolumes = g.hostVolumes.map((v) => `${v.name}=${v.path}${v.readOnly ? ':ro' : ''}`).join(',');
  return { trusted: String(g.trusted), hostNetwork: String(g.hostNetwork), hostPaths: g.hostPaths.join(','), home: g.home, hostVolumes };
}

/** The grants in words, for `nom grants` and for a refusal's context. Pure. */
export function describeGrants(g: NamespaceGrants): string {
  if (g.trusted) return 'trusted: anything the settings and overlays ask for (the seed\'s behaviour)';
  const volumes = g.hostVolumes.map((v) => `${v.name} (${v.path}${v.readOnly ? ', read-only' : ''})`).join(', ');
  const parts = [
    g.hostNetwork ? 'the node\'s network' : '',
    g.hostPaths.length ? `host paths ${g.hostPaths.join(', ')}` : '',
    g.home !== 'none' ? `/home ${g.home === 'ro' ? 'read-only' : 'read-write'}` : '',
    volumes ? `host volumes ${volumes}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : 'nothing beyond the namespace\'s own /pv/<namespace>';
}
