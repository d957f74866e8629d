import type { DeclaredHostVolume } from './agent-hardening.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the local cluster keeps everything: one directory, $NOM_HOME. */
export interface LocalLayout {
  readonly home: string;
  readonly nomadDir: string;
  readonly dataDir: string;
  readonly configFile: string;
  readonly logFile: string;
  readonly pidFile: string;
  /** Every agent PID started, one per line: each is a session whose helpers may outlive it. */
  readonly sessionsFile: string;
  /** Present while `nom down` has drained the node, for the next `nom up` to undo. */
  readonly drainedFile: string;
  /** The management token, mode 0600. */
  readonly tokenFile: string;
  /** What `nom env` and `nom down` need to know: ports, binary. */
  readonly stateFile: string;
  readonly dockerdLog: string;
  readonly dockerdPid: string;
  /** Caddy (the ingress) and the router that configures it. */
  readonly caddyDir: string;
  readonly caddyConfigFile: string;
  readonly caddyLog: string;
  readonly caddyPid: string;
  readonly routerConfigFile: string;
  readonly routerLog: string;
  readonly routerPid: string;
  /** Consul (`nom up --consul`): its data, configuration, log, and the tokens nom made (0600). */
  readonly consulDir: string;
  readonly consulDataDir: string;
  readonly consulConfigFile: string;
  readonly consulLog: string;
  readonly consulPid: string;
  readonly consulTokensFile: string;
}

export function localLayout(home: string): LocalLayout {
  const nomadDir = join(home, 'nomad');
  return {
    home,
    nomadDir,
    dataDir: join(nomadDir, 'data'),
    configFile: join(nomadDir, 'agent.json'),
    logFile: join(nomadDir, 'nomad.log'),
    pidFile: join(nomadDir, 'nomad.pid'),
    sessionsFile: join(nomadDir, 'sessions'),
    drainedFile: join(nomadDir, 'drained-by-down'),
    tokenFile: join(nomadDir, 'management-token'),
    stateFile: join(home, 'cluster.json'),
    dockerdLog: join(home, 'dockerd.log'),
    dockerdPid: join(home, 'dockerd.pid'),
    caddyDir: join(home, 'caddy'),
    caddyConfigFile: join(home, 'caddy', 'caddy.json'),
    caddyLog: join(home, 'caddy', 'caddy.log'),
    caddyPid: join(home, 'caddy', 'caddy.pid'),
    routerConfigFile: join(home, 'router', 'router.json'),
    routerLog: join(home, 'router', 'router.log'),
    routerPid: join(home, 'router', 'router.pid'),
    consulDir: join(home, 'consul'),
    consulDataDir: join(home, 'consul', 'data'),
    consulConfigFile: join(home, 'consul', 'consul.json'),
    consulLog: join(home, 'consul', 'consul.log'),
    consulPid: join(home, 'consul', 'consul.pid'),
    consulTokensFile: join(home, 'consul', 'tokens.json'),
  };
}

/** $NOM_HOME, else $XDG_DATA_HOME/nom, else ~/.local/share/nom. */
export function nomHome(env: Readonly<Record<string, string | undefined>>, homedir: string): string {
  if (env.NOM_HOME) return env.NOM_HOME;
  return join(env.XDG_DATA_HOME || join(homedir, '.local', 'share'), 'nom');
}

/** The recorded facts of a local cluster, in $NOM_HOME/cluster.json. */
export interface LocalClusterState {
  readonly httpPort: number;
  readonly address: string;
  readonly nomadBinary: string;
  /** The client node's ID: its containers carry it as a label, so nom down finds them all. */
  readonly nodeId?: string;
  readonly ingress?: { readonly https: string; readonly http: string; readonly caCert: string; readonly routerStatus: string };
  /** Namespaces with a persistent directory /pv/<ns> (`nom up --namespace`); default always. */
  readonly pvNamespaces?: readonly string[];
  /** `nom up --trusted`: containers may mount host paths, namespace default is granted everything. */
  readonly trusted?: boolean;
  /** `nom up --host-volume`: directories offered as named host volumes. */
  readonly hostVolumes?: readonly DeclaredHostVolume[];
  /** `nom up --consul`: a Consul agent runs beside Nomad, at this address, and is the default service provider. */
  readonly consul?: { readonly address: string };
}

/** The local cluster recorded in `home`, if there is one. */
export function readLocalState(home: string): LocalClusterState | undefined {
  const file = localLayout(home).stateFile;
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as LocalClusterState) : undefined;
}
