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
  /** The management token, mode 0600. */
  readonly tokenFile: string;
  /** What `nom env` and `nom down` need to know: ports, binary. */
  readonly stateFile: string;
  readonly dockerdLog: string;
  readonly dockerdPid: string;
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
    tokenFile: join(nomadDir, 'management-token'),
    stateFile: join(home, 'cluster.json'),
    dockerdLog: join(home, 'dockerd.log'),
    dockerdPid: join(home, 'dockerd.pid'),
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
}
