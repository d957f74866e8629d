import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import { cacheDir, findBinary, hasNomModule, installHashicorpRelease, nodeRelease, nomadVersionOf, releaseSites } from '../cluster/binaries.js';
import { nomadVersionNote, parseVersion, requestedNomadVersion, tooOldNotes } from '../cluster/nomad-version.js';
import { CADDY_VERSION, CONSUL_VERSION, NODE_VERSION, NOMAD_VERSION } from '../cluster/versions.js';
import { clusterSpec, type ClusterSpec } from '../cluster/remote/cluster-spec.js';
import { addNodes, createCluster, localBinary, type NodeBinaries, type SetupResult } from '../cluster/remote/cluster-setup.js';
import { clusterDir, ClusterStore } from '../cluster/remote/cluster-store.js';
import { clusterStatus, clusterStatusLines } from '../cluster/remote/cluster-status.js';
import { CommandError, InputError } from '../errors.js';
import { NomadClient } from '../nomad/client.js';
import { collect } from './arguments.js';
import type { Output } from './output.js';
import { consolePage } from './console.js';

/** The CPU a binary is for, from its ELF header; undefined for anything else (a script). */
function elfArch(path: string): string | undefined {
  const head = Buffer.alloc(20);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 20, 0);
  } finally {
    closeSync(fd);
  }
  if (head.readUInt32BE(0) !== 0x7f454c46) return undefined;
  return ({ 0x3e: 'amd64', 0xb7: 'arm64' } as Record<number, string>)[head.readUInt16LE(18)] ?? `machine ${head.readUInt16LE(18)}`;
}

/**
 * The binaries nodes get: from --binaries (offline sites), else this machine's (cache, PATH)
 * when they are Linux binaries for the hosts' architecture (and, for nomad, the version asked
 * for), else the official releases, checksums verified.
 */
function binariesFor(spec: ClusterSpec, nomadVersion: string): (arch: string) => Promise<NodeBinaries> {
  return async (arch) => {
    const cache = cacheDir(process.env, homedir());
    const pick = async (name: 'nomad' | 'caddy' | 'node' | 'consul', fetch: () => Promise<string>, optional = false) => {
      if (spec.binaries) {
        const path = join(spec.binaries, name);
        if (!existsSync(path)) {
          if (optional) return undefined;
          throw InputError.of(`--binaries ${spec.binaries} has no ${name}: put the Linux ${name} binary there`);
        }
        const is = elfArch(path);
        if (is !== arch) throw InputError.of(`--binaries ${spec.binaries}: ${name} is ${is ? `for ${is}` : 'not a Linux binary'}, and the hosts are ${arch}`);
        return localBinary(path, name);
      }
      const here = process.platform !== 'linux' ? undefined : name === 'node' ? process.execPath : findBinary(name, process.env, cache);
      const usable = here && elfArch(here) === arch && (name !== 'caddy' || hasNomModule(here)) && (name !== 'nomad' || sameVersion(nomadVersionOf(here), nomadVersion)) && (name !== 'consul' || nomadVersionOf(here) === `Consul v${CONSUL_VERSION}`);
      return localBinary(usable ? here : await fetch(), name);
    };
    const sites = releaseSites(process.env);
    const src = (baseUrl: string, version: string) => ({ baseUrl, version, arch });
    const nomad = (await pick('nomad', () => installHashicorpRelease('nomad', src(sites.nomad, nomadVersion), join(cache, arch))))!;
    const ingress = spec.ingress.length > 0;
    // No release of Caddy carries nom's module: the ingress nodes get the one built here (scripts/build-caddy.sh).
    const caddy = ingress
      ? await pick('caddy', () => {
          throw InputError.of(`no Caddy ${CADDY_VERSION} built with nom's module for ${arch} here: build it with scripts/build-caddy.sh${arch === 'amd64' ? '' : ` on a ${arch} machine`} and pass its directory with --binaries, or set NOM_CADDY_BIN`);
        })
      : undefined;
    const node = ingress ? await pick('node', () => nodeRelease(src(sites.node, NODE_VERSION), cache), true) : undefined;
    const consul = spec.consul ? await pick('consul', () => installHashicorpRelease('consul', src(sites.nomad, CONSUL_VERSION), join(cache, arch))) : undefined;
    // nom itself: the bundle this process runs from.
    return { nomad, caddy, node, consul, nom: localBinary(fileURLToPath(import.meta.url), 'nom'), consolePage: ingress ? consolePage() : undefined };
  };
}

/** Whether `nomad version`'s line is that release. */
function sameVersion(line: string | undefined, version: string): boolean {
  const v = line ? parseVersion(line) : undefined;
  return v?.join('.') === version;
}

/** --nomad-version, checked, with the note an operator should read before a BUSL release is installed. */
function nomadVersionFor(opts: { nomadVersion: string }, say: (line: string) => void): string {
  const version = requestedNomadVersion(opts.nomadVersion);
  const note = nomadVersionNote(`--nomad-version ${version}: the cluster`, version);
  if (note) say(`note: ${note}`);
  return version;
}

const NOMAD_VERSION_HELP = `the Nomad release to install on the nodes; ${NOMAD_VERSION} is the newest under the MPL-2.0 and the one nom is tested on (1.7.0 and later are under the Business Source License)`;

interface CreateOptions {
  nomadVersion: string;
  first?: string;
  ingress: string[];
  name?: string;
  namespace?: string;
  nfsPv?: string;
  sleepAfter?: string;
  expireAfter?: string;
  binaries?: string;
  acmeEmail?: string;
  baseDomain?: string;
  nomadConfig: boolean;
  dryRun?: boolean;
  trusted?: boolean;
  hostVolume?: string[];
  consul?: boolean;
}

export function registerCluster(program: Command, out: Output): void {
  const cluster = program.command('cluster').description('a multi-node Nomad cluster over SSH: create it, add nodes, see its state');
  const log = { step: (host: string, what: string) => out.say(`${host}: ${what}`), info: (line: string) => out.say(line) };
  const store = (spec: ClusterSpec) => new ClusterStore(clusterDir(process.env, homedir(), spec.name));
  const ssh = (process.env.NOM_SSH ?? 'ssh').split(/\s+/).filter(Boolean);

  /** The summary both create and add end with; the CI token alone on stdout. */
  const report = (r: SetupResult | undefined, s: ClusterStore, opts: { nomadConfig: boolean; baseDomain?: string | undefined }) => {
    if (!r) return out.say('dry run: nothing was changed');
    out.say(`cluster ${r.record.name}: ${r.record.hosts.length} node(s), API at ${r.record.address} (${r.changed ? `${r.changed} change(s)` : 'nothing changed'})`);
    out.say(`  access:  ${r.accessFile} (NOMAD_ADDR, NOMAD_TOKEN — the management token —, NOMAD_CACERT)`);
    out.say(`  CA:      ${s.caCertPath}`);
    if (opts.baseDomain) out.say(`  console: https://nom.${opts.baseDomain}/ (sign in with a Nomad token; NOM_CONSOLE_URL for \`nom console\`)`);
    const nomadConfig = process.env.NOM_NOMAD_CONFIG_FILE ?? join(homedir(), '.config', 'nomad');
    if (opts.nomadConfig && !existsSync(nomadConfig)) {
      mkdirSync(dirname(nomadConfig), { recursive: true });
      copyFileSync(r.accessFile, nomadConfig);
      out.say(`  wrote ${nomadConfig}`);
    }
    out.say(`CI token: deploys to namespace ${r.record.namespace} only; set it as NOMAD_TOKEN in CI (kept in ${s.dir}):`);
    if (r.ciToken) out.result(r.ciToken);
  };

  cluster
    .command('create <hosts...>')
    .description('turn hosts ([user@]host[:port], reached with ssh) into one Nomad cluster: every node a server and a client, TLS, gossip encryption, ACLs; running it again changes only what is not right')
    .option('--first <host>', 'the host that bootstraps ACLs and serves the API nom uses (default: the first one)')
    .addOption(new Option('--ingress <host>', 'a host that runs Caddy and the router (repeatable)').argParser(collect).default([], 'every host'))
    .option('--name <name>', 'what nom calls the cluster here (default: the first host)')
    .option('--namespace <namespace>', 'the namespace the CI token deploys to', 'default')
    .option('--nfs-pv <host:/export>', 'mount this NFS export at /pv on every node (persistent volumes shared across nodes)')
    .option('--trusted', 'every pusher administers the nodes: containers may mount host paths, and the namespace is granted everything (the system nom replaces)')
    .option('--host-volume <name=dir[:ro]>', 'a directory every node offers as a named host volume, for nom grants --host-volume (repeatable; it must exist on the nodes)', collect)
    .option('--consul', `run Consul ${CONSUL_VERSION} servers beside the Nomad servers (TLS, gossip encryption, ACLs) and register services there by default, as the system nom replaces did (remembered)`)
    .option('--binaries <dir>', 'push nomad, caddy (and node, consul) from this directory instead of the official releases (offline sites)')
    .option('--nomad-version <version>', NOMAD_VERSION_HELP, NOMAD_VERSION)
    .option('--acme-email <email>', 'get certificates from Let\'s Encrypt for routed hostnames (default: Caddy\'s internal CA)')
    .option('--base-domain <domain>', 'the domain deployments live under (unknown hostnames are sent there)')
    .option('--sleep-after <duration>', 'review apps without a request for this long sleep until the next one (default 1h; never turns it off; see docs/sleep.md)')
    .option('--expire-after <period>', 'review apps not deployed for this long are purged by the router, given a token that may (NOM_JANITOR_TOKEN; default 14d; never)')
    .option('--no-nomad-config', 'do not write ~/.config/nomad even when it does not exist')
    .option('--dry-run', 'say what would be done on each host, and change nothing')
    .action(async (hosts: string[], opts: CreateOptions) => {
      const given = clusterSpec({ hosts, first: opts.first, ingress: opts.ingress, name: opts.name, namespace: opts.namespace, nfsPv: opts.nfsPv, binaries: opts.binaries, acmeEmail: opts.acmeEmail, baseDomain: opts.baseDomain, trusted: opts.trusted, hostVolumes: opts.hostVolume, consul: opts.consul, sleepAfter: opts.sleepAfter, expireAfter: opts.expireAfter });
      // A cluster with Consul keeps it when create runs again without --consul.
      const spec = store(given).record()?.consul ? { ...given, consul: true } : given;
      const nomadVersion = nomadVersionFor(opts, out.say);
      const s = store(spec);
      report(await createCluster({ spec, store: s, binaries: binariesFor(spec, nomadVersion), log, ssh, dryRun: opts.dryRun }), s, opts);
    });

  cluster
    .command('add <hosts...>')
    .description('join more hosts to the cluster whose first node is --first, with the same keys')
    .requiredOption('--first <host>', 'the cluster\'s first node (it has the gossip key)')
    .addOption(new Option('--ingress <host>', 'a new host that runs Caddy and the router (repeatable)').argParser(collect).default([], 'every new host'))
    .option('--name <name>', 'what nom calls the cluster here (default: the first host)')
    .option('--nfs-pv <host:/export>', 'mount this NFS export at /pv on the new nodes')
    .option('--binaries <dir>', 'push nomad, caddy (and node) from this directory instead of the official releases')
    .option('--nomad-version <version>', NOMAD_VERSION_HELP, NOMAD_VERSION)
    .option('--acme-email <email>', 'ACME for the new ingress nodes')
    .option('--base-domain <domain>', 'the domain deployments live under')
    .option('--dry-run', 'say what would be done on each new host, and change nothing')
    .action(async (hosts: string[], opts: CreateOptions) => {
      const given = { hosts: [opts.first!, ...hosts], first: opts.first, ingress: opts.ingress.length ? opts.ingress : hosts, name: opts.name, nfsPv: opts.nfsPv, binaries: opts.binaries, acmeEmail: opts.acmeEmail, baseDomain: opts.baseDomain };
      // New nodes offer what the cluster's others do: its namespace's /pv, its host paths or none.
      const recorded = store(clusterSpec(given)).record();
      const all = clusterSpec({ ...given, namespace: recorded?.namespace, trusted: recorded?.trusted, hostVolumes: recorded?.hostVolumes, consul: recorded?.consul });
      const nomadVersion = nomadVersionFor(opts, out.say);
      const s = store(all);
      const adding = all.hosts.filter((h) => h.spec !== all.first.spec);
      report(await addNodes({ spec: all, store: s, binaries: binariesFor(all, nomadVersion), log, ssh, adding, dryRun: opts.dryRun }), s, { nomadConfig: false });
    });

  cluster
    .command('status')
    .description('the cluster\'s servers (and which leads), its nodes, and their versions')
    .option('--name <name>', 'which cluster (default: the only one, or the one in ~/.config/nomad)')
    .option('--json', 'print the status as JSON')
    .action(async (opts: { name?: string; json?: boolean }) => {
      const base = dirname(clusterDir(process.env, homedir(), 'x'));
      const name = opts.name ?? onlyCluster(base);
      const s = new ClusterStore(join(base, name));
      const record = s.record();
      const token = s.managementToken();
      if (!record || !token) throw new CommandError(`no cluster "${name}" in ${base}: nom cluster create makes one`);
      const nomad = new NomadClient({ address: record.address, token, caCert: s.caCertPath, namespace: undefined, region: undefined, clientCert: undefined, clientKey: undefined, skipVerify: false });
      try {
        const status = await clusterStatus(nomad);
        for (const note of tooOldNotes([...status.servers.map((m) => ({ ...m, kind: 'server' as const })), ...status.nodes.map((n) => ({ ...n, kind: 'node' as const }))])) out.say(`warning: ${note}`);
        out.result(opts.json ? JSON.stringify(status, null, 2) : clusterStatusLines(record.name, status).join('\n'));
      } finally {
        nomad.close();
      }
    });
}

/** The one cluster nom knows here; with several, --name must say which. */
function onlyCluster(base: string): string {
  const names = existsSync(base) ? readdirSync(base) : [];
  if (names.length === 1) return names[0]!;
  throw InputError.of(names.length ? `several clusters are known here (${names.join(', ')}): name one with --name` : `no cluster is known here (${base}): nom cluster create makes one`);
}
