import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { CommandError } from '../../errors.js';
import { NomadClient } from '../../nomad/client.js';
import { caddyConfig } from '../../router/caddy-config.js';
import { bootstrapAcl as bootstrapNomadAcl, waitForLeader, waitForReadyNodes } from '../cluster-bootstrap.js';
import { waitFor } from '../processes.js';
import { certificateNames, createClusterCa, gossipKey, nodeCertificate, signedBy, type KeyPair } from './cluster-pki.js';
import type { ClusterSpec, SshTarget } from './cluster-spec.js';
import type { ClusterRecord, ClusterStore } from './cluster-store.js';
import { ensureDeployAccess } from '../namespace-access.js';
import { routerPolicy } from './deploy-policy.js';
import { writeGrants } from '../../deploy/namespace-grants.js';
import { NO_GRANTS } from '../../jobspec/container-rules.js';
import { pvDirectory } from '../../jobspec/host-volumes.js';
import { pvNamespaces } from './cluster-spec.js';
import { factsScript, hostPlan, readFacts, tokenFileStep, type DesiredFile, type HostFacts, type Step } from './host-plan.js';
import { consulAccess, type ClusterConsulTokens } from './consul-access.js';
import { writeClusterServiceProvider } from '../../deploy/service-provider.js';
import {
  clusterRouterConfig, consulAgentConfig, nomadAgentConfig, nomServiceScript, PATHS, routerEnvironment, serviceCommand, serviceDefinitions, systemdUnit, type NodeIdentity,
} from './node-files.js';
import { SshHost } from './ssh-host.js';

/** A binary on this machine that nodes get a copy of. */
export interface LocalBinary {
  readonly path: string;
  readonly sha256: string;
  readonly label: string;
}

/** Where the binaries come from (a --binaries directory, the cache, official releases). */
export interface NodeBinaries {
  readonly nomad: LocalBinary;
  /** Only for ingress nodes. */
  readonly caddy?: LocalBinary | undefined;
  readonly node?: LocalBinary | undefined;
  /** Only with --consul. */
  readonly consul?: LocalBinary | undefined;
  /** nom's own bundle, which runs the router. */
  readonly nom: LocalBinary;
  /** The console's page (dist/console: file name → text), which Caddy serves on the ingress nodes. */
  readonly consolePage?: ReadonlyMap<string, string> | undefined;
}

export function localBinary(path: string, label: string): LocalBinary {
  const size = statSync(path).size;
  return { path, sha256: createHash('sha256').update(readFileSync(path)).digest('hex'), label: `${label} (${Math.round(size / 2 ** 20)} MB)` };
}

export interface SetupLog {
  /** A step on a host. */
  step(host: string, what: string): void;
  info(line: string): void;
}

export interface SetupOptions {
  readonly spec: ClusterSpec;
  readonly store: ClusterStore;
  /** The binaries for hosts of this architecture (amd64, arm64). */
  readonly binaries: (arch: string) => Promise<NodeBinaries>;
  readonly log: SetupLog;
  /** The ssh command, `ssh` unless NOM_SSH says otherwise. */
  readonly ssh?: readonly string[];
  /** Only say what would be done on each host (nothing is changed, no key is kept). */
  readonly dryRun?: boolean;
}

export interface SetupResult {
  readonly record: ClusterRecord;
  readonly accessFile: string;
  readonly ciToken: string;
  readonly changed: number;
}

/** The console's page, as `npm run build` makes it in dist/console. */
export const CONSOLE_FILES = ['index.html', 'app.js', 'style.css'] as const;

const MANAGED = [
  PATHS.nomadBinary, PATHS.caddyBinary, PATHS.node, PATHS.nomBundle, PATHS.service, PATHS.nomadConfig, PATHS.caCert, PATHS.nodeCert, PATHS.nodeKey,
  PATHS.routerConfig, PATHS.routerEnv, PATHS.caddyConfig, PATHS.consulBinary, PATHS.consulConfig, PATHS.consulAgentToken, PATHS.nomadConsulConfig,
  ...CONSOLE_FILES.map((name) => `${PATHS.consoleDir}/${name}`),
  ...(['docker', 'consul', 'nomad', 'caddy', 'nom-router'] as const).flatMap((s) => [`${PATHS.servicesDir}/${s}.cmd`, `/etc/systemd/system/${s}.service`]),
];

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const textFile = (path: string, text: string, mode: DesiredFile['mode'], restarts: DesiredFile['restarts']): DesiredFile => ({ path, mode, sha256: sha(text), content: () => Buffer.from(text), restarts });
const binaryFile = (path: string, b: LocalBinary, restarts: DesiredFile['restarts']): DesiredFile => ({ path, mode: '0755', sha256: b.sha256, label: `${path}: ${b.label}`, content: () => createReadStream(b.path), restarts });

/** Every host's facts, read in parallel; nothing is changed yet. */
async function readAllFacts(hosts: readonly SshHost[], log: SetupLog): Promise<Map<SshHost, HostFacts>> {
  const all = await Promise.all(
    hosts.map(async (h) => {
      log.step(h.name, 'reading what is there');
      const facts = readFacts((await h.must('reading what is there', factsScript(MANAGED))).stdout);
      if (!facts.address) throw new CommandError(`${h.name}: cannot tell its own address (SSH_CONNECTION is empty)`);
      return [h, facts] as const;
    }),
  );
  return new Map(all);
}

/** A node keeps its certificate while the cluster CA signed it and it covers the node's names. */
function certificateFor(ca: KeyPair, facts: HostFacts, names: readonly string[], region: string): KeyPair | 'keep' {
  if (facts.nodeCert && facts.files.has(PATHS.nodeKey) && signedBy(facts.nodeCert, ca.cert)) {
    const have = certificateNames(facts.nodeCert);
    if (names.every((n) => have.includes(n))) return 'keep';
  }
  return nodeCertificate(ca, { region, names });
}

/** The files and services of one node. */
function nodeDesired(o: {
  spec: ClusterSpec; target: SshTarget; facts: HostFacts; ca: KeyPair; gossip: string; consulGossip: string | undefined; servers: readonly string[]; bootstrapExpect: number; binaries: NodeBinaries;
}): { files: DesiredFile[]; services: ReturnType<typeof serviceDefinitions> } {
  const { spec, facts } = o;
  const ingress = spec.ingress.some((h) => h.spec === o.target.spec);
  const identity: NodeIdentity = { name: facts.hostname || o.target.host, address: facts.address };
  const services = serviceDefinitions(ingress, spec.consul);
  // A Consul server proves server.<datacenter>.consul to the others (verify_server_hostname).
  const names = [...new Set([facts.address, o.target.host, facts.hostname, ...(spec.consul ? [`server.${spec.datacenter}.consul`] : [])].filter(Boolean))];
  const cert = certificateFor(o.ca, facts, names, spec.region);
  const tlsUsers: DesiredFile['restarts'] = spec.consul ? ['consul', 'nomad'] : ['nomad'];
  const config = nomadAgentConfig(spec, identity, { servers: o.servers, bootstrapExpect: o.bootstrapExpect, gossipKey: o.gossip, nfsPv: Boolean(spec.nfsPv) });
  const files: DesiredFile[] = [
    binaryFile(PATHS.nomadBinary, o.binaries.nomad, ['nomad']),
    textFile(PATHS.service, nomServiceScript(), '0755', []),
    ...services.map((s) => textFile(`${PATHS.servicesDir}/${s.name}.cmd`, serviceCommand(s), '0644', [s.name])),
    // Docker's own package brings its unit.
    ...(facts.systemd ? services.filter((s) => s.name !== 'docker').map((s) => textFile(`/etc/systemd/system/${s.name}.service`, systemdUnit(s), '0644', [s.name])) : []),
    // Consul's TLS is the node's too: both restart with a new certificate.
    textFile(PATHS.caCert, o.ca.cert, '0644', tlsUsers),
    ...(cert === 'keep' ? [] : [textFile(PATHS.nodeCert, cert.cert, '0644', tlsUsers), textFile(PATHS.nodeKey, cert.key, '0600', tlsUsers)]),
    textFile(PATHS.nomadConfig, `${JSON.stringify(config, null, 2)}\n`, '0600', ['nomad']),
  ];
  if (spec.consul) {
    if (!o.binaries.consul || !o.consulGossip) throw new CommandError('no consul binary or gossip key for the nodes');
    const consulConfig = consulAgentConfig(spec, identity, { servers: o.servers, bootstrapExpect: o.bootstrapExpect, gossipKey: o.consulGossip });
    files.push(
      binaryFile(PATHS.consulBinary, o.binaries.consul, ['consul']),
      // 0600: it holds the gossip key. Consul's certificate is the node's (restarts with it).
      textFile(PATHS.consulConfig, `${JSON.stringify(consulConfig, null, 2)}\n`, '0600', ['consul']),
    );
  }
  if (ingress) {
    const router = clusterRouterConfig(spec, identity);
    if (!o.binaries.caddy) throw new CommandError('no caddy binary for the ingress nodes');
    files.push(
      binaryFile(PATHS.caddyBinary, o.binaries.caddy, ['caddy']),
      binaryFile(PATHS.nomBundle, o.binaries.nom, ['nom-router']),
      // Next to the bundle, where the router finds the page and tells Caddy to serve it from.
      ...CONSOLE_FILES.flatMap((name) => {
        const text = o.binaries.consolePage?.get(name);
        return text === undefined ? [] : [textFile(`${PATHS.consoleDir}/${name}`, text, '0644', [])];
      }),
      textFile(PATHS.routerConfig, `${JSON.stringify(router, null, 2)}\n`, '0644', ['nom-router']),
      // Caddy starts empty; the router loads the routes.
      textFile(PATHS.caddyConfig, JSON.stringify(caddyConfig({ routes: [], conflicts: [] }, router.ingress)), '0644', ['caddy']),
    );
    if (facts.nodeVersion) {
      // A node 20+ is there: the router uses it.
      files.push(textFile(PATHS.node, `#!/bin/sh\nexec node "$@"\n`, '0755', ['nom-router']));
    } else {
      if (!o.binaries.node) throw new CommandError(`${o.target.spec} has no Node.js 20 or newer for the router, and none was given (put node in --binaries)`);
      files.push(binaryFile(PATHS.node, o.binaries.node, ['nom-router']));
    }
  }
  return { files, services };
}

/** The one architecture of the hosts: they share the binaries. */
function hostsArch(facts: ReadonlyMap<SshHost, HostFacts>): string {
  const archs = new Set([...facts.values()].map((f) => f.arch));
  if (archs.size > 1) throw new CommandError(`the hosts mix architectures (${[...facts].map(([h, f]) => `${h.name}: ${f.arch}`).join(', ')}): set them up one architecture at a time`);
  const [arch] = archs;
  if (arch !== 'amd64' && arch !== 'arm64') throw new CommandError(`the hosts are ${arch}: nom sets up amd64 and arm64 Linux hosts`);
  return arch;
}

/** Says each host's steps, for --dry-run. */
function describePlans(plans: readonly [SshHost, Step[]][], log: SetupLog): void {
  for (const [host, steps] of plans) {
    if (!steps.length) log.step(host.name, 'nothing to change');
    for (const step of steps) log.step(host.name, `would ${step.title}`);
  }
}

/** Runs each host's steps in turn; a failing step stops everything, naming host, step and stderr. */
async function apply(plans: readonly [SshHost, Step[]][], log: SetupLog): Promise<number> {
  let changed = 0;
  for (const [host, steps] of plans) {
    if (!steps.length) log.step(host.name, 'nothing to change');
    for (const step of steps) {
      log.step(host.name, step.title);
      await host.must(step.title, step.script, step.input?.());
      changed++;
    }
  }
  return changed;
}

function client(store: ClusterStore, address: string, token?: string): NomadClient {
  return new NomadClient({ address, token, caCert: store.caCertPath, namespace: undefined, region: undefined, clientCert: undefined, clientKey: undefined, skipVerify: false });
}

/**
 * `nom cluster create`: every host becomes a server and a client of one cluster (TLS from a CA
 * nom creates, gossip encrypted, ACLs on); ACLs are bootstrapped once, and a deploy policy and
 * a CI token made. Running it again changes only what is not right.
 */
export async function createCluster(o: SetupOptions): Promise<SetupResult | undefined> {
  const { spec, store, log } = o;
  const hosts = spec.hosts.map((t) => new SshHost(t, o.ssh));
  const facts = await readAllFacts(hosts, log);
  const firstHost = hosts.find((h) => h.target.spec === spec.first.spec)!;
  const firstFacts = facts.get(firstHost)!;

  let ca = store.ca();
  if (!ca) {
    if (firstFacts.nodeCert) throw new CommandError(`${spec.first.spec} is already a node of a cluster whose CA key is not in ${store.dir}: copy that directory from the machine that created the cluster`);
    ca = createClusterCa(spec.name);
    if (!o.dryRun) store.saveCa(ca);
    log.info(`${o.dryRun ? 'would create' : 'created'} the cluster CA in ${store.dir}`);
  }
  const existing = (firstFacts.nomadConfig?.server as { encrypt?: string } | undefined)?.encrypt;
  const gossip = store.gossipKey() ?? existing ?? gossipKey();
  if (existing && existing !== gossip) throw new CommandError(`${spec.first.spec} encrypts gossip with another key than ${store.dir}/gossip.key: is --name right?`);
  if (!o.dryRun) store.saveGossipKey(gossip);
  // Consul's gossip has a key of its own.
  const consulGossip = spec.consul ? (store.consulSecret('gossip.key') ?? gossipKey()) : undefined;
  if (consulGossip && !o.dryRun) store.saveConsulSecret('gossip.key', consulGossip);

  const servers = hosts.map((h) => facts.get(h)!.address);
  const binaries = await o.binaries(hostsArch(facts));
  const plans = hosts.map((h) => {
    const f = facts.get(h)!;
    const desired = nodeDesired({ spec, target: h.target, facts: f, ca: ca!, gossip, consulGossip, servers, bootstrapExpect: hosts.length, binaries });
    return [h, hostPlan(h.name, f, { ...desired, nfsPv: spec.nfsPv, pvDirectories: pvNamespaces(spec).map(pvDirectory), hostVolumes: spec.hostVolumes })] as [SshHost, Step[]];
  });
  if (o.dryRun) return void describePlans(plans, log);
  let changed = await apply(plans, log);

  const address = `https://${spec.first.host.includes(':') ? `[${spec.first.host}]` : spec.first.host}:4646`;
  const token = await bootstrapAcl(store, address, log);
  const ciToken = await deployAccess(store, address, token, spec, log);
  const withFacts = hosts.map((h) => [h, facts.get(h)!] as [SshHost, HostFacts]);
  const consul = spec.consul ? await withConsul(store, address, token, firstHost, withFacts, log) : undefined;
  changed += consul?.changed ?? 0;
  changed += await routerAccess(store, address, token, spec, withFacts, log, consul?.tokens);
  const record: ClusterRecord = {
    name: spec.name, address, namespace: spec.namespace, trusted: spec.trusted, hostVolumes: spec.hostVolumes.map((v) => `${v.name}=${v.path}${v.readOnly ? ':ro' : ''}`), hosts: hosts.map((h) => ({ spec: h.name, address: facts.get(h)!.address })),
    ...(spec.consul ? { consul: true } : {}),
  };
  const accessFile = store.saveAccess(record, token);
  await waitForNodes(store, address, token, hosts.length, log, spec.consul);
  return { record, accessFile, ciToken, changed };
}

/**
 * `nom cluster add`: new hosts join the cluster of `spec.first` with the same keys — the gossip
 * key read back from the first node, certificates from the cluster CA kept here.
 */
export async function addNodes(o: SetupOptions & { readonly adding: readonly SshTarget[] }): Promise<SetupResult | undefined> {
  const { spec, store, log } = o;
  const ca = store.ca();
  const token = store.managementToken();
  const record = store.record();
  if (!ca || !token || !record) throw new CommandError(`no cluster "${spec.name}" in ${store.dir}: nom cluster add runs where nom cluster create ran (or copy that directory here)`);
  const firstHost = new SshHost(spec.first, o.ssh);
  const newHosts = o.adding.map((t) => new SshHost(t, o.ssh));
  const facts = await readAllFacts([firstHost, ...newHosts], log);
  const first = facts.get(firstHost)!;
  const server = first.nomadConfig?.server as { encrypt?: string; bootstrap_expect?: number; server_join?: { retry_join?: string[] } } | undefined;
  if (!server?.encrypt) throw new CommandError(`${spec.first.spec} has no nom cluster configuration (${PATHS.nomadConfig}): is it the first node?`);
  const servers = [...new Set([first.address, ...(server.server_join?.retry_join ?? []), ...newHosts.map((h) => facts.get(h)!.address)])];
  const binaries = await o.binaries(hostsArch(facts));
  const plans = newHosts.map((h) => {
    const f = facts.get(h)!;
    const desired = nodeDesired({ spec, target: h.target, facts: f, ca, gossip: server.encrypt!, consulGossip: store.consulSecret('gossip.key'), servers, bootstrapExpect: server.bootstrap_expect ?? 1, binaries });
    return [h, hostPlan(h.name, f, { ...desired, nfsPv: spec.nfsPv, pvDirectories: pvNamespaces(spec).map(pvDirectory), hostVolumes: spec.hostVolumes })] as [SshHost, Step[]];
  });
  if (o.dryRun) return void describePlans(plans, log);
  let changed = await apply(plans, log);
  const withFacts = newHosts.map((h) => [h, facts.get(h)!] as [SshHost, HostFacts]);
  const consul = spec.consul ? await withConsul(store, record.address, token, firstHost, withFacts, log) : undefined;
  changed += (consul?.changed ?? 0) + (await routerAccess(store, record.address, token, spec, withFacts, log, consul?.tokens));
  const known = new Set(record.hosts.map((h) => h.spec));
  const updated: ClusterRecord = { ...record, hosts: [...record.hosts, ...newHosts.filter((h) => !known.has(h.name)).map((h) => ({ spec: h.name, address: facts.get(h)!.address }))] };
  const accessFile = store.saveAccess(updated, token);
  await waitForNodes(store, record.address, token, updated.hosts.length, log, spec.consul);
  return { record: updated, accessFile, ciToken: store.ciToken()?.secret ?? '', changed };
}

/** Waits for a leader, then bootstraps ACLs once; the management token is kept in the store. */
async function bootstrapAcl(store: ClusterStore, address: string, log: SetupLog): Promise<string> {
  const nomad = client(store, address);
  try {
    log.info(`waiting for the servers to elect a leader (${address})`);
    await waitForLeader(nomad, {
      timeoutMs: 180_000,
      intervalMs: 1000,
      fail: () => new CommandError(`no leader at ${address} within 3 minutes: see /var/log/nom/nomad.log (or journalctl -u nomad) on the hosts`),
    });
    const known = store.managementToken();
    if (known) return known;
    const token = await bootstrapNomadAcl(nomad, {
      timeoutMs: 60_000,
      fail: () => new CommandError(`Nomad at ${address} did not accept the ACL bootstrap within 60s`),
      bootstrappedBefore: () => new CommandError(`the cluster's ACLs were bootstrapped before, and its management token is not in ${store.dir}: copy it there (management-token)`),
    });
    store.saveManagementToken(token);
    log.info('bootstrapped ACLs: the management token is kept (mode 0600) in ' + store.dir);
    return token;
  } finally {
    nomad.close();
  }
}

/** The deploy policy in `namespace`, and a CI token with only it (made once, kept in the store). */
async function deployAccess(store: ClusterStore, address: string, token: string, spec: ClusterSpec, log: SetupLog): Promise<string> {
  const { namespace } = spec;
  const nomad = client(store, address, token);
  try {
    // A trusted cluster (`--trusted`): its namespace may use what the system nom replaces allowed.
    if (spec.trusted) await writeGrants(nomad, namespace, { ...NO_GRANTS, trusted: true });
    const policy = await ensureDeployAccess(nomad, namespace, (line) => log.info(line));
    const kept = store.ciToken();
    if (kept && (await nomad.acl.token(kept.accessor).then(() => true, () => false))) return kept.secret;
    const ci = await nomad.acl.createToken({ Name: `nom CI deploys to ${namespace}`, Type: 'client', Policies: [policy.Name] });
    store.saveCiToken(ci.AccessorID, ci.SecretID);
    log.info(`made a CI token with the policy ${policy.Name}`);
    return ci.SecretID;
  } finally {
    nomad.close();
  }
}

/**
 * The router on each ingress node reads Nomad with a token of its own (read-only, every
 * namespace), made once and kept in the store; its environment file is written, and the router
 * restarted, where it is not right yet.
 */
async function routerAccess(store: ClusterStore, address: string, token: string, spec: ClusterSpec, hosts: readonly [SshHost, HostFacts][], log: SetupLog, consul?: ClusterConsulTokens): Promise<number> {
  const ingress = hosts.filter(([h]) => spec.ingress.some((t) => t.spec === h.target.spec));
  if (!ingress.length) return 0;
  const nomad = client(store, address, token);
  let secret: string;
  try {
    const policy = routerPolicy();
    await nomad.acl.upsertPolicy(policy);
    const kept = store.routerToken();
    if (kept && (await nomad.acl.token(kept.accessor).then(() => true, () => false))) secret = kept.secret;
    else {
      const made = await nomad.acl.createToken({ Name: 'nom router', Type: 'client', Policies: [policy.Name] });
      store.saveRouterToken(made.AccessorID, made.SecretID);
      secret = made.SecretID;
    }
  } finally {
    nomad.close();
  }
  let changed = 0;
  for (const [host, facts] of ingress) {
    const step = tokenFileStep(facts, PATHS.routerEnv, routerEnvironment({ name: facts.hostname, address: facts.address }, secret, consul?.reader), 'nom-router', 'the router\'s token');
    if (!step) continue;
    changed++;
    log.step(host.name, step.title);
    await host.must(step.title, step.script, step.input!());
  }
  return changed;
}

/**
 * Consul's ACLs, tokens and the nodes' token files (consul-access.ts), and Consul as the
 * cluster's default service provider, which deploy tokens read.
 */
async function withConsul(store: ClusterStore, address: string, token: string, first: SshHost, hosts: readonly [SshHost, HostFacts][], log: SetupLog): Promise<{ tokens: ClusterConsulTokens; changed: number }> {
  const result = await consulAccess(first, hosts, store, log.info, log.step);
  const nomad = client(store, address, token);
  try {
    // Nomad just restarted with its Consul token: until a restarted server has restored its
    // state it does not know the management token yet, and answers 403.
    if (result.changed) {
      await waitFor(async () => nomad.acl.self().then(() => true, () => undefined), {
        timeoutMs: 120_000,
        intervalMs: 1000,
        onTimeout: () => new CommandError(`Nomad at ${address} did not accept the management token within 2 minutes of restarting with Consul: see /var/log/nom/nomad.log on the hosts`),
      });
    }
    await writeClusterServiceProvider(nomad, 'consul');
  } finally {
    nomad.close();
  }
  return result;
}

/** Waits until `count` client nodes are ready with a healthy docker driver (and, with Consul, have found it). */
async function waitForNodes(store: ClusterStore, address: string, token: string, count: number, log: SetupLog, consul = false): Promise<void> {
  const nomad = client(store, address, token);
  try {
    log.info(`waiting for ${count} node(s) to be ready${consul ? ' and to find Consul' : ''}`);
    const fail = (where: string) => new CommandError(`the nodes are not all ready with docker${consul ? ' and Consul' : ''} after 3 minutes (${where}): see /var/log/nom/nomad.log on the others`);
    const nodes = await waitForReadyNodes(nomad, { count, timeoutMs: 180_000, intervalMs: 1000, fail });
    if (!consul) return;
    // A job with Consul services is placed only on nodes whose client found Consul.
    await waitFor(
      async () => ((await Promise.all(nodes.map(async (n) => (await nomad.nodes.read(n.ID)).Attributes?.['consul.version']))).every(Boolean) ? true : undefined),
      { timeoutMs: 180_000, intervalMs: 1000, onTimeout: () => fail('a node has not found Consul; see /var/log/nom/consul.log') },
    );
  } finally {
    nomad.close();
  }
}
