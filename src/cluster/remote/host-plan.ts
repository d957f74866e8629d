import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CommandError } from '../../errors.js';
import { PATHS, type ServiceDefinition } from './node-files.js';

/** What a host says about itself before anything is changed on it. */
export interface HostFacts {
  /** The address it was reached at, as it sees itself (from SSH_CONNECTION). */
  readonly address: string;
  readonly hostname: string;
  readonly arch: 'amd64' | 'arm64' | string;
  /** /etc/os-release ID and ID_LIKE, e.g. "debian", "ubuntu". */
  readonly os: readonly string[];
  readonly systemd: boolean;
  readonly dockerInstalled: boolean;
  readonly dockerRunning: boolean;
  /** sha256 of the managed files that exist, by path. */
  readonly files: ReadonlyMap<string, string>;
  readonly running: ReadonlySet<string>;
  /** What is mounted at /pv, if anything. */
  readonly pvMount: string | undefined;
  /** The agent configuration and node certificate already there, if any. */
  readonly nomadConfig: Record<string, unknown> | undefined;
  readonly nodeCert: string | undefined;
  /** `node --version` of a node 20+ already on the host (the router can use it). */
  readonly nodeVersion: string | undefined;
}

/** A file a node should have, with the services that must restart when it changes. */
export interface DesiredFile {
  readonly path: string;
  readonly mode: '0644' | '0600' | '0755';
  readonly sha256: string;
  readonly content: () => Buffer | Readable;
  /** How people see it in the plan, e.g. "nomad 1.6.3 (108 MB)"; the path by default. */
  readonly label?: string;
  readonly restarts: readonly ServiceDefinition['name'][];
}

/** One thing done on a host, as data: what it does, and the script that does it. */
export interface Step {
  readonly title: string;
  readonly script: string;
  readonly input?: () => Buffer | Readable;
}

/** The script that gathers HostFacts (its output is read by `readFacts`). */
export function factsScript(managed: readonly string[]): string {
  return [
    'set -u',
    'conn=${1:-}; set -- $conn; echo "address=${3:-}"',
    'echo "hostname=$(hostname)"',
    'echo "arch=$(uname -m)"',
    '( . /etc/os-release 2>/dev/null; echo "os=${ID:-unknown} ${ID_LIKE:-}" )',
    '[ -d /run/systemd/system ] && echo systemd=1 || echo systemd=0',
    'command -v dockerd >/dev/null 2>&1 && echo docker=1 || echo docker=0',
    'docker info >/dev/null 2>&1 && echo docker_running=1 || echo docker_running=0',
    `for f in ${managed.join(' ')}; do [ -f "$f" ] && echo "file $(sha256sum "$f" | cut -d' ' -f1) $f"; done`,
    `for s in docker consul nomad caddy nom-router; do [ -x ${PATHS.service} ] && ${PATHS.service} status "$s" 2>/dev/null && echo "running $s"; done`,
    `awk '$2 == "${PATHS.pv}" { print "pv_mount=" $1 }' /proc/mounts`,
    `[ -f ${PATHS.nomadConfig} ] && echo "nomad_config=$(base64 -w0 ${PATHS.nomadConfig})"`,
    `[ -f ${PATHS.nodeCert} ] && echo "node_cert=$(base64 -w0 ${PATHS.nodeCert})"`,
    'v=$(node --version 2>/dev/null) && echo "node_version=$v"',
    'exit 0',
  ].join('\n');
}

const ARCH: Record<string, string> = { x86_64: 'amd64', amd64: 'amd64', aarch64: 'arm64', arm64: 'arm64' };

/** Reads what `factsScript` printed. Pure. */
export function readFacts(output: string): HostFacts {
  const values = new Map<string, string>();
  const files = new Map<string, string>();
  const running = new Set<string>();
  for (const line of output.split('\n')) {
    const file = /^file ([0-9a-f]{64}) (\S+)$/.exec(line);
    if (file) files.set(file[2]!, file[1]!);
    else if (line.startsWith('running ')) running.add(line.slice(8).trim());
    else {
      const at = line.indexOf('=');
      if (at > 0) values.set(line.slice(0, at), line.slice(at + 1).trim());
    }
  }
  const b64 = (key: string) => (values.get(key) ? Buffer.from(values.get(key)!, 'base64').toString('utf8') : undefined);
  const config = b64('nomad_config');
  const node = /^v(\d+)\./.exec(values.get('node_version') ?? '');
  return {
    address: values.get('address') ?? '',
    hostname: values.get('hostname') ?? '',
    arch: ARCH[values.get('arch') ?? ''] ?? values.get('arch') ?? '',
    os: (values.get('os') ?? '').split(/\s+/).filter(Boolean),
    systemd: values.get('systemd') === '1',
    dockerInstalled: values.get('docker') === '1',
    dockerRunning: values.get('docker_running') === '1',
    files,
    running,
    pvMount: values.get('pv_mount'),
    nomadConfig: config ? (JSON.parse(config) as Record<string, unknown>) : undefined,
    nodeCert: b64('node_cert'),
    nodeVersion: node && Number(node[1]) >= 20 ? values.get('node_version') : undefined,
  };
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The steps that bring a host to its desired state, and only those: a file that is already
 * right is not written, a service whose files did not change and that runs is not restarted.
 * Pure.
 */
export function hostPlan(host: string, facts: HostFacts, o: { files: readonly DesiredFile[]; services: readonly ServiceDefinition[]; nfsPv: string | undefined; pvDirectories: readonly string[]; hostVolumes?: readonly { name: string; path: string }[] }): Step[] {
  const steps: Step[] = [];
  if (!facts.dockerInstalled) {
    if (!facts.os.some((id) => id === 'debian' || id === 'ubuntu')) {
      throw new CommandError(`${host}: Docker is not installed, and nom installs it only on Debian and Ubuntu (this is ${facts.os.join(' ') || 'unknown'}): install Docker there, then run again`);
    }
    steps.push({ title: 'install Docker (Debian\'s docker.io)', script: 'export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq docker.io' });
  }
  if (o.nfsPv && facts.pvMount !== o.nfsPv) {
    steps.push({
      title: `mount ${o.nfsPv} at ${PATHS.pv} (NFS, in /etc/fstab)`,
      script: [
        'set -e',
        'command -v mount.nfs >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq nfs-common; }',
        `mkdir -p ${PATHS.pv}`,
        // Validated to a host and a path by the spec; quoted all the same.
        `grep -qF ${shellQuote(`${o.nfsPv} ${PATHS.pv} `)} /etc/fstab || echo ${shellQuote(`${o.nfsPv} ${PATHS.pv} nfs defaults,_netdev 0 0`)} >> /etc/fstab`,
        `mountpoint -q ${PATHS.pv} || mount ${PATHS.pv}`,
      ].join('\n'),
    });
  }
  // Nomad will not start with a host volume whose directory is missing: say so before writing anything.
  const nomadConfig = o.files.find((f) => f.path === PATHS.nomadConfig);
  const nomadConfigChanges = !facts.files.has(PATHS.nomadConfig) || (nomadConfig !== undefined && facts.files.get(PATHS.nomadConfig) !== nomadConfig.sha256);
  if (nomadConfigChanges && o.hostVolumes?.length) {
    steps.push({
      title: `check the host volumes' directories (${o.hostVolumes.map((v) => v.path).join(', ')})`,
      script: o.hostVolumes.map((v) => `[ -d ${quote(v.path)} ] || { echo ${quote(`the host volume ${v.name}: ${v.path} is not a directory on this node: create it, or leave the volume out`)} >&2; exit 1; }`).join('\n'),
    });
  }
  const changed = new Set<string>();
  for (const f of o.files) {
    if (facts.files.get(f.path) === f.sha256) continue;
    for (const s of f.restarts) changed.add(s);
    const tmp = `${f.path}.nom-new`;
    steps.push({
      title: `write ${f.label ?? f.path}`,
      script: `set -e\nmkdir -p ${quote(f.path.slice(0, f.path.lastIndexOf('/')) || '/')}\ncat > ${quote(tmp)}\nchmod ${f.mode} ${quote(tmp)}\nmv -f ${quote(tmp)} ${quote(f.path)}`,
      input: f.content,
    });
  }
  // Consul's data directory, before it first starts.
  const consulConfig = o.files.find((f) => f.path === PATHS.consulConfig);
  if (consulConfig && facts.files.get(PATHS.consulConfig) !== consulConfig.sha256) {
    steps.push({ title: `create ${PATHS.consulDataDir}`, script: `mkdir -p ${PATHS.consulDataDir} && chmod 0700 ${PATHS.consulDataDir}` });
  }
  // Before Nomad (re)starts with a configuration whose host volumes need them (a new namespace's /pv/<ns>).
  if (nomadConfigChanges) {
    const dirs = [PATHS.dataDir, PATHS.pv, PATHS.home, PATHS.caddyData].map(quote).join(' ');
    // A namespace's /pv: writable by any container user, sticky; made once, never changed after.
    const pv = o.pvDirectories.map((d) => `[ -d ${quote(d)} ] || install -d -m 1777 ${quote(d)}`);
    steps.push({ title: `create ${PATHS.dataDir}, ${[PATHS.pv, ...o.pvDirectories].join(', ')} and ${PATHS.home}`, script: ['set -e', `mkdir -p ${dirs}`, ...pv].join('\n') });
  }
  for (const s of o.services) {
    const isRunning = s.name === 'docker' ? facts.dockerRunning : facts.running.has(s.name);
    if (changed.has(s.name) && isRunning) steps.push({ title: `restart ${s.name}`, script: `${PATHS.service} restart ${s.name}` });
    else if (!isRunning) steps.push({ title: `start ${s.name}`, script: s.name === 'docker' ? dockerStart() : `${PATHS.service} start ${s.name}` });
  }
  return steps;
}

/**
 * A file holding a token, made once the tokens exist (after the ACL bootstrap): written 0600
 * from the start and `service` restarted, unless the host has it already (undefined). Pure.
 */
export function tokenFileStep(facts: HostFacts, path: string, text: string, service: ServiceDefinition['name'], what: string): Step | undefined {
  if (facts.files.get(path) === createHash('sha256').update(text).digest('hex')) return undefined;
  return {
    title: `write ${path} (${what}) and restart ${service}`,
    script: `set -e\numask 077\ncat > ${path}.nom-new\nmv -f ${path}.nom-new ${path}\n${PATHS.service} restart ${service}`,
    input: () => Buffer.from(text),
  };
}

/** Docker: its own unit under systemd; nom-service otherwise; then wait until it answers. */
function dockerStart(): string {
  return [
    'set -e',
    `if [ -d /run/systemd/system ]; then systemctl enable --now docker; else ${PATHS.service} start docker; fi`,
    'i=0; until docker info >/dev/null 2>&1; do i=$((i + 1)); [ $i -lt 60 ] || { echo "the docker engine did not answer within 30s" >&2; exit 1; }; sleep 0.5; done',
  ].join('\n');
}

/** A word for sh: single-quoted, with any single quote closed, escaped and reopened. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
