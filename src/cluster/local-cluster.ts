import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NomadClient } from '../nomad/client.js';
import { nomadConfig } from '../nomad/config.js';
import { NomadError } from '../nomad/http.js';
import { cacheDir, findBinary, installHashicorpRelease, nomadVersionOf, onPath, releaseArch, releaseSites, type ReleaseSource } from './binaries.js';
import { compareVersions, nomadVersionNote, OLDEST_SUPPORTED, parseVersion } from './nomad-version.js';
import { CADDY_VERSION, CONSUL_VERSION, NOMAD_VERSION } from './versions.js';
import { nomadConsulBlock } from './consul-config.js';
import { startLocalConsul, stopLocalConsul } from './local-consul.js';
import { writeClusterServiceProvider } from '../deploy/service-provider.js';
import { caCertPath, ingressPorts, localRouterConfig, startIngress } from './local-ingress.js';
import { DockerEngine, dockerSocket, installDockerPackage } from './docker-engine.js';
import { localAgentConfig } from './local-agent-config.js';
import type { DeclaredHostVolume } from './agent-hardening.js';
import { readGrants, writeGrants } from '../deploy/namespace-grants.js';
import { pvDirectory } from '../jobspec/host-volumes.js';
import { localLayout, readLocalState, type LocalClusterState, type LocalLayout } from './local-layout.js';
import { bootstrapAcl, waitForLeader, waitForReadyNodes, waitForToken } from './cluster-bootstrap.js';
import { recordedSessions, runsNomad } from './agent-helpers.js';
import { executableOf, howEnded, isRunning, logTail, portInUse, readPid, runsWith, signalSession, sessionMembers, sleep, spawnDaemon, waitFor } from './processes.js';

export interface UpOptions {
  readonly home: string;
  readonly homedir: string;
  readonly httpPort: number;
  /** Caddy's HTTPS and HTTP listeners on 127.0.0.1. */
  readonly ingress: { readonly https: number; readonly http: number };
  readonly installDeps: boolean;
  /** Namespaces whose jobs get a persistent directory, /pv/<ns>, beside default. */
  readonly pvNamespaces: readonly string[];
  /** Containers may mount host paths, and namespace default is granted everything. */
  readonly trusted: boolean;
  /** Directories offered as named host volumes, for `nom grants --host-volume`. */
  readonly hostVolumes: readonly DeclaredHostVolume[];
  /** Run Consul beside Nomad and make it the cluster's service provider (`nom up --consul`). */
  readonly consul: boolean;
  /** Where to write the NOMAD_ADDR/NOMAD_TOKEN exports when no such file exists; undefined: don't. */
  readonly nomadConfigFile: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly say: (line: string) => void;
}

export interface UpResult {
  readonly address: string;
  readonly layout: LocalLayout;
  readonly nomadVersion: string;
  readonly started: boolean;
  readonly state: LocalClusterState;
}

/** A problem the user can fix, said in full; the CLI prints it without a stack. */
export class ClusterError extends Error {
  override name = 'ClusterError';
}

/**
 * Starts (or finds running) the single-node local cluster, bootstraps ACLs once, and waits until
 * its node is ready with a healthy docker driver. Safe to run again at any time.
 */
export async function up(o: UpOptions): Promise<UpResult> {
  const layout = localLayout(o.home);
  const before = readLocalState(o.home);
  const wasTrusted = before?.trusted === true;
  const wasConsul = before?.consul !== undefined;
  const { path: nomad, version: nomadVersion } = await ensureNomadBinary(o);
  const caddy = await ensureCaddyBinary(o);
  const consulBinary = o.consul ? await ensureConsulBinary(o) : undefined;
  await ensureDocker(new DockerEngine(dockerSocket(o.env)), layout, o);

  mkdirSync(layout.dataDir, { recursive: true });
  const pvNamespaces = [...new Set(['default', ...o.pvNamespaces])];
  for (const ns of pvNamespaces) {
    try {
      // Writable by the container's user, whichever it is (images often run as one of their own);
      // sticky, so that one user's files are not another's to delete. Made once, never changed.
      if (!existsSync(pvDirectory(ns))) {
        mkdirSync(pvDirectory(ns), { recursive: true });
        chmodSync(pvDirectory(ns), 0o1777);
      }
    } catch (e) {
      throw new ClusterError(`cannot create ${pvDirectory(ns)}, the persistent directory of namespace ${ns} (${(e as Error).message}): run nom up as root, or create it`);
    }
  }
  for (const v of o.hostVolumes) {
    if (!existsSync(v.path)) throw new ClusterError(`--host-volume ${v.name}=${v.path}: ${v.path} does not exist on this machine: create it, or leave the volume out`);
  }
  const fail = (m: string) => new ClusterError(m);
  const consul = consulBinary ? await startLocalConsul({ layout, binary: consulBinary, nomadHttpPort: o.httpPort, env: o.env, say: o.say, fail }) : undefined;
  const agentConfig = localAgentConfig({
    dataDir: layout.dataDir, httpPort: o.httpPort, homeDir: '/home', pvNamespaces, hostPaths: o.trusted, hostVolumes: o.hostVolumes, ingressPorts: [o.ingress.https, o.ingress.http],
    ...(consul ? { consul: nomadConsulBlock(consul.address.replace(/^http:\/\//, ''), consul.tokens.nomad) } : {}),
  });
  const config = JSON.stringify(agentConfig, null, 2);
  const configChanged = !existsSync(layout.configFile) || readFileSync(layout.configFile, 'utf8') !== config;
  // 0600: with Consul it holds Nomad's Consul token.
  writeFileSync(layout.configFile, config, { mode: 0o600 });
  chmodSync(layout.configFile, 0o600);
  const address = `http://127.0.0.1:${o.httpPort}`;
  const state: LocalClusterState = {
    httpPort: o.httpPort, address, nomadBinary: nomad, pvNamespaces, trusted: o.trusted, hostVolumes: o.hostVolumes, ...(consul ? { consul: { address: consul.address } } : {}),
  };

  let pid = readPid(layout.pidFile);
  let started = false;
  if (pid !== undefined && isRunning(pid, nomad) && configChanged) {
    o.say('the agent configuration changed: restarting Nomad');
    await stopAgent(layout, pid, o.say, 'keep helpers');
    pid = undefined;
  }
  if (pid === undefined || !isRunning(pid, nomad)) {
    for (const port of [o.httpPort, o.httpPort + 1, o.httpPort + 2]) {
      if (await portInUse(port)) {
        throw new ClusterError(`port ${port} on 127.0.0.1 is taken by another program (is another Nomad running?): choose other ports with \`nom up --port <port>\` or NOM_NOMAD_PORT`);
      }
    }
    o.say(`starting ${nomadVersion} (${nomad})`);
    pid = startAgent(nomad, layout, o.env);
    started = true;
  }
  writeFileSync(layout.stateFile, `${JSON.stringify(state, null, 2)}\n`);

  const anonymous = new NomadClient(nomadConfig({ NOMAD_ADDR: address }));
  try {
    const leader = () =>
      waitForLeader(anonymous, {
        timeoutMs: 90_000,
        checkAlive: () => {
          if (!isRunning(pid!)) throw new AgentEnded(`Nomad exited while starting (${howEnded(pid!) ?? 'how, only its parent knew'}); its log ends:\n${logTail(layout.logFile, 15)}`, howEnded(pid!));
        },
        fail: () => new ClusterError(`Nomad elected no leader within 90s; its log ends:\n${logTail(layout.logFile, 15)}`),
      });
    await leader().catch(async (e: unknown) => {
      // Killed by a signal that nom did not send, with nothing in its log (seen once in a while
      // on a busy machine, just after a restart): started again, once. An exit of its own is
      // Nomad refusing something, and is reported at once.
      if (!(e instanceof AgentEnded) || !started || !e.how?.startsWith('killed by')) throw e;
      o.say(`warning: Nomad was ${e.how} while starting, with nothing in its log: starting it again`);
      pid = startAgent(nomad, layout, o.env);
      await leader();
    });
    const token = await ensureToken(anonymous, layout);
    const client = new NomadClient(nomadConfig({ NOMAD_ADDR: address, NOMAD_TOKEN: token }));
    try {
      const node = (await waitForReadyNodes(client, {
        count: 1,
        timeoutMs: 90_000,
        fail: (where) => new ClusterError(`the Nomad node did not become ready within 90s: ${where}`),
      }))[0]!;
      // A restarted client re-registers its host volumes, and finds Consul, a moment after it is
      // ready again: wait for every configured volume (so that `nom grants --host-volume` right
      // after finds them) and for Consul (a job with Consul services is placed only then).
      const wanted = Object.keys((agentConfig as { client: { host_volume: Record<string, unknown> } }).client.host_volume);
      await waitFor(
        async () => {
          const read = await client.nodes.read(node.ID);
          const offered = read.HostVolumes ?? {};
          return wanted.every((name) => name in offered) && (!consul || read.Attributes?.['consul.version']) ? true : undefined;
        },
        {
          timeoutMs: 45_000,
          intervalMs: 200,
          onTimeout: () => new ClusterError(`the Nomad node did not offer its host volumes (${wanted.join(', ')})${consul ? ' and find Consul' : ''} within 45s; its log ends:\n${logTail(layout.logFile, 15)}`),
        },
      );
      await undrainAfterDown(client, layout, node.ID);
      // Trusted: namespace default may use what the system nom replaces allowed (nom's checks
      // agree with the node); made untrusted again, it keeps its other grants.
      const grants = await readGrants(client, 'default', o.say);
      if (o.trusted !== grants.trusted && (o.trusted || wasTrusted)) await writeGrants(client, 'default', { ...grants, trusted: o.trusted });
      // The cluster's default provider: what a deploy registers its services with.
      if (consul || wasConsul) await writeClusterServiceProvider(client, consul ? 'consul' : 'nomad');
      if (!consul && wasConsul) await stopLocalConsul(layout, o.say);
      const routerConfig = localRouterConfig(layout, ingressPorts(o.httpPort, o.ingress), o.httpPort, o.env, consul?.address);
      const routerEnv = consul ? { ...o.env, CONSUL_HTTP_ADDR: consul.address, CONSUL_HTTP_TOKEN: consul.tokens.reader } : o.env;
      await startIngress({ layout, config: routerConfig, caddyBinary: caddy, nomadAddress: address, token, env: routerEnv, say: o.say, fail });
      const { ingress } = routerConfig;
      const withIngress: LocalClusterState = {
        ...state,
        nodeId: node.ID,
        ingress: {
          https: `127.0.0.1:${ingress.httpsPort}`,
          http: `127.0.0.1:${ingress.httpPort}`,
          caCert: caCertPath(routerConfig),
          routerStatus: `http://127.0.0.1:${routerConfig.statusPort}/status`,
        },
      };
      writeFileSync(layout.stateFile, `${JSON.stringify(withIngress, null, 2)}\n`);
      const self = await client.agent.self();
      if (o.nomadConfigFile && !existsSync(o.nomadConfigFile)) {
        mkdirSync(dirname(o.nomadConfigFile), { recursive: true });
        writeFileSync(o.nomadConfigFile, envLines(address, token).join('\n') + '\n', { mode: 0o600 });
        o.say(`wrote ${o.nomadConfigFile}`);
      }
      return { address, layout, nomadVersion: self.config.Version.Version, started, state: withIngress };
    } finally {
      client.close();
    }
  } finally {
    anonymous.close();
  }
}

async function ensureDocker(docker: DockerEngine, layout: LocalLayout, o: UpOptions): Promise<void> {
  if (await docker.ping()) return;
  if (!o.installDeps) {
    throw new ClusterError(
      `no Docker engine answers at ${docker.socketPath}: start it (e.g. \`sudo systemctl start docker\` or \`sudo dockerd &\`), ` +
        'or run `nom up --install-deps` to install Debian\'s docker.io and start it',
    );
  }
  // dockerd lives in /usr/sbin, which a user's PATH may lack.
  const sbin = { PATH: `${o.env.PATH ?? ''}:/usr/sbin:/usr/bin` };
  if (!onPath('dockerd', sbin)) await installDockerPackage(o.say, o.env);
  mkdirSync(layout.home, { recursive: true });
  o.say(`starting dockerd (log: ${layout.dockerdLog})`);
  const pid = spawnDaemon(onPath('dockerd', sbin) ?? 'dockerd', [], layout.dockerdLog, o.env);
  writeFileSync(layout.dockerdPid, `${pid}\n`);
  await waitFor(async () => ((await docker.ping()) ? true : undefined), {
    timeoutMs: 60_000,
    onTimeout: () => new ClusterError(`dockerd did not answer within 60s; its log ends:\n${logTail(layout.dockerdLog, 10)}`),
  });
}

/**
 * The nomad to run and its `nomad version` line: NOM_NOMAD_BIN, PATH, or the cache; else the
 * official 1.6.3 release is installed. A Nomad older than 1.6 is refused; one under the BUSL
 * (1.7.0 on) runs with a note.
 */
async function ensureNomadBinary(o: UpOptions): Promise<{ path: string; version: string }> {
  const cache = cacheDir(o.env, o.homedir);
  const found = findBinary('nomad', o.env, cache) ?? (await installNomad(o, cache));
  const version = nomadVersionOf(found);
  if (!version) throw new ClusterError(`${found} does not run (\`${found} version\` fails): set NOM_NOMAD_BIN to a working Nomad ${NOMAD_VERSION}`);
  const parsed = parseVersion(version);
  if (parsed && compareVersions(parsed, OLDEST_SUPPORTED) < 0) {
    throw new ClusterError(`${nomadVersionNote(found, version)}, or set NOM_NOMAD_BIN to a Nomad ${NOMAD_VERSION}`);
  }
  const note = nomadVersionNote(found, version);
  if (note) o.say(`note: ${note}`);
  return { path: found, version };
}

async function installNomad(o: UpOptions, cache: string): Promise<string> {
  return installRelease(o, cache, {
    name: 'nomad', label: `Nomad ${NOMAD_VERSION}`, licence: ' (MPL-2.0)', baseUrl: releaseSites(o.env).nomad, version: NOMAD_VERSION,
    install: (src) => installHashicorpRelease('nomad', src, cache),
    build: 'needs Go and a C compiler; 3-5 minutes, once', otherwise: `set NOM_NOMAD_BIN to a Nomad ${NOMAD_VERSION} binary; or install Nomad ${NOMAD_VERSION} and put it on PATH`,
  });
}

/**
 * The caddy to run: NOM_CADDY_BIN, or one on PATH or in the cache built with nom's module; else
 * one is built (no release of Caddy carries the module), which needs Go.
 */
async function ensureCaddyBinary(o: UpOptions): Promise<string> {
  const cache = cacheDir(o.env, o.homedir);
  const found = findBinary('caddy', o.env, cache);
  if (found) return found;
  const script = join(dirname(dirname(fileURLToPath(import.meta.url))), 'scripts', 'build-caddy.sh');
  const otherwise = `or set NOM_CADDY_BIN to a Caddy ${CADDY_VERSION} built with nom's module`;
  if (!existsSync(script)) throw new ClusterError(`no caddy binary with nom's module: none on PATH or in ${join(cache, 'bin')}. Build one with scripts/build-caddy.sh (in the nom repository; needs Go), ${otherwise}.`);
  if (!onPath('go', o.env)) throw new ClusterError(`no caddy binary with nom's module: none on PATH or in ${join(cache, 'bin')}, and building one needs Go (apt-get install golang-go, or go.dev/dl). Then run: bash ${script}; ${otherwise}.`);
  o.say(`no caddy binary with nom's module found: building Caddy ${CADDY_VERSION} with it from the Go module proxy (a few minutes, once)`);
  try {
    const out = execFileSync('bash', [script], { env: { ...o.env, NOM_CACHE: cache } as NodeJS.ProcessEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    return out.trim().split('\n').pop()!;
  } catch {
    throw new ClusterError(`no caddy binary with nom's module: bash ${script} failed (see above); ${otherwise}.`);
  }
}

/** The consul to run: NOM_CONSUL_BIN, PATH, or the cache; else the official 1.14.11 release is installed. */
async function ensureConsulBinary(o: UpOptions): Promise<string> {
  const cache = cacheDir(o.env, o.homedir);
  return findBinary('consul', o.env, cache) ?? installRelease(o, cache, {
    name: 'consul', label: `Consul ${CONSUL_VERSION}`, licence: ' (MPL-2.0)', baseUrl: releaseSites(o.env).nomad, version: CONSUL_VERSION,
    install: (src) => installHashicorpRelease('consul', src, cache),
    build: 'needs Go; about 3 minutes, once', otherwise: `set NOM_CONSUL_BIN to a Consul ${CONSUL_VERSION} binary; or install Consul ${CONSUL_VERSION} and put it on PATH`,
  });
}

/** Installs a pinned official release into the cache, checksum verified; when it cannot, says every other way to get one. */
async function installRelease(
  o: UpOptions,
  cache: string,
  r: { name: 'nomad' | 'caddy' | 'consul'; label: string; licence: string; baseUrl: string; version: string; install: (src: ReleaseSource) => Promise<string>; build: string; otherwise: string },
): Promise<string> {
  const source = { baseUrl: r.baseUrl, version: r.version, arch: releaseArch() };
  o.say(`no ${r.name} binary found: installing ${r.label}${r.licence} from ${source.baseUrl}, checksum verified`);
  try {
    return await r.install(source);
  } catch (e) {
    throw new ClusterError(
      `no ${r.name} binary: none on PATH or in ${join(cache, 'bin')}, and the official ${r.label} release could not be installed (${(e as Error).message}).\n` +
        `Do one of: build it from the Go module proxy with ${buildScript(r.name)} (${r.build}); ${r.otherwise}.`,
    );
  }
}

/** scripts/build-<name>.sh of this nom (shipped beside the bundle), as a path to paste. */
function buildScript(name: 'nomad' | 'caddy' | 'consul'): string {
  const script = join(dirname(dirname(fileURLToPath(import.meta.url))), 'scripts', `build-${name}.sh`);
  return existsSync(script) ? `bash ${script}` : `scripts/build-${name}.sh (in the nom repository)`;
}

/** Bootstraps ACLs on a new cluster; on an existing one, checks the kept token still works. */
async function ensureToken(client: NomadClient, layout: LocalLayout): Promise<string> {
  const startAfresh = 'Run `nom down --purge` and `nom up` to start afresh.';
  if (existsSync(layout.tokenFile)) {
    const token = readFileSync(layout.tokenFile, 'utf8').trim();
    const withToken = new NomadClient(nomadConfig({ NOMAD_ADDR: client.http.config.address, NOMAD_TOKEN: token }));
    try {
      await waitForToken(withToken, { timeoutMs: 30_000, fail: () => new ClusterError('Nomad did not accept the kept management token within 30s') });
      return token;
    } catch (e) {
      if (e instanceof NomadError && e.status === 403) {
        throw new ClusterError(`Nomad refuses the management token in ${layout.tokenFile}: the cluster's ACL state was reset. ${startAfresh}`);
      }
      throw e;
    } finally {
      withToken.close();
    }
  }
  const secret = await bootstrapAcl(client, {
    timeoutMs: 30_000,
    fail: () => new ClusterError('Nomad did not accept the ACL bootstrap within 30s'),
    bootstrappedBefore: () => new ClusterError(`Nomad's ACLs were bootstrapped before but ${layout.tokenFile} is gone. ${startAfresh}`),
  });
  writeFileSync(layout.tokenFile, `${secret}\n`, { mode: 0o600 });
  return secret;
}

export interface DownOptions {
  readonly home: string;
  readonly purge: boolean;
  /** For DOCKER_HOST. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly say: (line: string) => void;
}

/**
 * Stops what `nom up` started: the agent and its helper processes, and the containers of its
 * allocations (the jobs stay registered and start again on the next `nom up`). With purge, also
 * the jobs' data (the data directory, the token, the state file) and a dockerd that `nom up`
 * started.
 */
export async function down(o: DownOptions): Promise<void> {
  const layout = localLayout(o.home);
  for (const [name, file, mark] of [['the router', layout.routerPid, layout.routerConfigFile], ['Caddy', layout.caddyPid, layout.caddyConfigFile]] as const) {
    const daemon = readPid(file);
    if (daemon === undefined || !runsWith(daemon, mark)) continue;
    o.say(`stopping ${name} (pid ${daemon})`);
    process.kill(daemon, 'SIGTERM');
    for (let i = 0; i < 40 && isRunning(daemon); i++) await sleep(250);
    rmSync(file, { force: true });
  }
  const pid = readPid(layout.pidFile);
  // With purge, the client's state goes too: nothing is left to reattach to.
  if (pid !== undefined && runsWith(pid, layout.configFile)) await stopAgent(layout, pid, o.say, o.purge ? 'end helpers, forget all' : 'end helpers');
  else o.say('Nomad is not running');
  // After Nomad, which deregisters its services from Consul as it stops; before the sessions'
  // leftovers are killed, so that Consul stops cleanly.
  await stopLocalConsul(layout, o.say);
  // Helpers of agents that died (killed, crashed) live on in those agents' sessions.
  const helper = runsNomad(recordedState(layout)?.nomadBinary);
  const all = recordedSessions(layout);
  for (const sid of all) if (signalSession(sid, 'SIGKILL', helper)) o.say(`stopped leftover processes of session ${sid}`);
  for (let i = 0; i < 50 && all.some((sid) => sessionMembers(sid).some(helper)); i++) await sleep(100);
  rmSync(layout.pidFile, { force: true });
  rmSync(layout.sessionsFile, { force: true });

  const removed = await removeClusterContainers(layout, o.env);
  if (removed) o.say(`removed ${removed} container(s) of the cluster's allocations`);
  if (o.purge) {
    const dockerd = readPid(layout.dockerdPid);
    if (dockerd !== undefined && isRunning(dockerd) && /dockerd$/.test(executableOf(dockerd) ?? '')) {
      // nom up started this engine (there was none): leave the machine as we found it.
      o.say(`stopping dockerd (pid ${dockerd}), which nom up started`);
      process.kill(dockerd, 'SIGTERM');
      for (let i = 0; i < 120 && isRunning(dockerd); i++) await sleep(250);
    }
    rmSync(layout.dockerdPid, { force: true });
    unmountUnder(layout.dataDir);
    rmSync(layout.nomadDir, { recursive: true, force: true });
    rmSync(layout.caddyDir, { recursive: true, force: true });
    rmSync(layout.consulDir, { recursive: true, force: true });
    rmSync(dirname(layout.routerConfigFile), { recursive: true, force: true });
    rmSync(layout.stateFile, { force: true });
    o.say(`deleted the cluster's data in ${layout.nomadDir}`);
  }
}

/** An agent this `nom up` started ended before it had a leader; `how`: its exit status or signal. */
class AgentEnded extends ClusterError {
  constructor(message: string, readonly how: string | undefined) {
    super(message);
  }
}

/** Starts the agent in a session of its own (its pid is the session's ID), recorded for `nom down`. */
function startAgent(nomad: string, layout: LocalLayout, env: Readonly<Record<string, string | undefined>>): number {
  // Nomad's client misreads some CA variables (AWS_CA_BUNDLE breaks its cloud fingerprint).
  const { AWS_CA_BUNDLE: _ignored, ...rest } = env;
  const pid = spawnDaemon(nomad, ['agent', `-config=${layout.configFile}`], layout.logFile, rest);
  writeFileSync(layout.pidFile, `${pid}\n`);
  appendFileSync(layout.sessionsFile, `${pid}\n`);
  return pid;
}

/**
 * Stops the agent: SIGINT for a clean exit, then SIGKILL. Its plugin helpers (logmon,
 * docker_logger) outlive it: kept for the agent that restarts to reattach to, or stopped with
 * their allocations and then the rest of its session (see agent-helpers.ts).
 */
async function stopAgent(layout: LocalLayout, pid: number, say: (line: string) => void, helpers: 'keep helpers' | 'end helpers' | 'end helpers, forget all'): Promise<void> {
  if (helpers !== 'end helpers, forget all') await settleBeforeStop(layout, say, helpers === 'end helpers');
  say(`stopping Nomad (pid ${pid})`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 60 && isRunning(pid); i++) await sleep(250);
  if (helpers === 'keep helpers') {
    if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 20 && isRunning(pid); i++) await sleep(100);
  } else {
    signalSession(pid, 'SIGKILL');
    for (let i = 0; i < 20 && sessionMembers(pid).length; i++) await sleep(100);
    if (sessionMembers(pid).length) say(`warning: processes of session ${pid} are still running: ${sessionMembers(pid).join(' ')}`);
  }
  rmSync(layout.pidFile, { force: true });
}

/** What the last `nom up` recorded, if it can be read: down works on what is left of a cluster. */
function recordedState(layout: LocalLayout): LocalClusterState | undefined {
  try {
    return JSON.parse(readFileSync(layout.stateFile, 'utf8')) as LocalClusterState;
  } catch {
    return undefined;
  }
}

/**
 * Before the agent stops, has its client forget every helper that will not be there when an
 * agent starts again (see agent-helpers.ts): it collects the node's finished allocations and,
 * when the helpers are to end (`nom down`), first drains the node, so that Nomad stops the
 * allocations itself; the next `nom up` makes the node eligible again and the scheduler places
 * them anew. An agent that does not answer is stopped as before.
 */
async function settleBeforeStop(layout: LocalLayout, say: (line: string) => void, drain: boolean): Promise<void> {
  const state = recordedState(layout);
  if (!state?.nodeId || !existsSync(layout.tokenFile)) return;
  const nodeId = state.nodeId;
  const client = new NomadClient(nomadConfig({ NOMAD_ADDR: state.address, NOMAD_TOKEN: readFileSync(layout.tokenFile, 'utf8').trim() }));
  const isLive = (a: { ClientStatus: string }) => a.ClientStatus === 'pending' || a.ClientStatus === 'running';
  const live = async () => (await client.nodes.allocations(nodeId)).filter(isLive);
  const wait = (what: string, seconds: number, done: () => Promise<boolean>) =>
    waitFor(async () => ((await done()) ? true : undefined), { timeoutMs: seconds * 1000, intervalMs: 250, onTimeout: () => new Error(`${what} after ${seconds}s`) });
  try {
    const running = await live();
    if (drain && running.length) {
      say(`stopping ${running.length} allocation(s): Nomad drains the node, and the next nom up places them again`);
      writeFileSync(layout.drainedFile, `${nodeId}\n`);
      await client.nodes.drain(nodeId, { Deadline: -1, IgnoreSystemJobs: false });
      await wait('allocations still running', 60, async () => (await live()).length === 0);
    }
    const onDisk = ourAllocations(layout);
    const finished = (await client.nodes.allocations(nodeId)).filter((a) => !isLive(a) && onDisk.has(a.ID)).map((a) => a.ID);
    if (!finished.length) return;
    await client.nodes.collectGarbage(nodeId);
    // The client destroys them in the background: each one's directory goes, then its state.
    await wait('finished allocations not yet collected', 15, async () => finished.every((id) => !existsSync(join(layout.dataDir, 'alloc', id))));
    await sleep(200);
  } catch (e) {
    say(`warning: Nomad did not settle its allocations before stopping (${(e as Error).message})`);
  } finally {
    client.close();
  }
}

/** Ends the drain of the last `nom down`, so that the scheduler places the jobs again. */
async function undrainAfterDown(client: NomadClient, layout: LocalLayout, nodeId: string): Promise<void> {
  if (!existsSync(layout.drainedFile)) return;
  await client.nodes.drain(nodeId, null, true);
  rmSync(layout.drainedFile, { force: true });
}

/**
 * Removes the containers of this cluster's allocations, when Docker answers; returns how many.
 * Ours: labelled with our node's ID, or (for containers from before that label) one of our
 * allocation directories. The node label also finds a container whose allocation Nomad lost.
 */
async function removeClusterContainers(layout: LocalLayout, env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const docker = new DockerEngine(dockerSocket(env));
  if (!(await docker.ping())) return 0;
  const ours = ourAllocations(layout);
  const nodeId = recordedState(layout)?.nodeId;
  const containers = (await docker.containersWithLabel('com.hashicorp.nomad.alloc_id')).filter(
    (c) => ours.has(c.Labels['com.hashicorp.nomad.alloc_id']!) || (nodeId !== undefined && c.Labels['com.hashicorp.nomad.node_id'] === nodeId),
  );
  for (const c of containers) await docker.removeContainer(c.Id);
  return containers.length;
}

/** Allocation IDs that this cluster's client knows, from its allocation directories. */
function ourAllocations(layout: LocalLayout): Set<string> {
  try {
    return new Set(readdirSync(join(layout.dataDir, 'alloc')));
  } catch {
    return new Set();
  }
}

/** Nomad mounts secrets and shared dirs (tmpfs, binds) inside allocation dirs; undo any left. */
function unmountUnder(dir: string): void {
  let mounts: string[] = [];
  try {
    mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(`${dir}/`));
  } catch {
    return;
  }
  for (const m of mounts.sort().reverse()) {
    try {
      execFileSync('umount', ['-l', m.replace(/\\040/g, ' ')]);
    } catch {
      // not ours to unmount, or already gone
    }
  }
}

export function envLines(address: string, token: string): string[] {
  return [`export NOMAD_ADDR=${address}`, `export NOMAD_TOKEN=${token}`];
}
