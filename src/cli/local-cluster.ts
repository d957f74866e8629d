import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { parseHostVolume, type DeclaredHostVolume } from '../cluster/agent-hardening.js';
import { down, envLines, up } from '../cluster/local-cluster.js';
import { localLayout, nomHome, readLocalState } from '../cluster/local-layout.js';
import { localConsoleUrl } from '../cluster/local-ingress.js';
import { collect } from './arguments.js';
import type { Output } from './output.js';
import { CommandError } from '../errors.js';

function port(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1024 || n > 65526) throw new InvalidArgumentError('expected a port number from 1024 to 65526 (it and the next nine are used: Nomad, the router, Consul)');
  return n;
}

/** The recorded host volumes, with those given now added (or replacing one of the same name). */
function withVolumes(recorded: readonly DeclaredHostVolume[], given: readonly DeclaredHostVolume[]): DeclaredHostVolume[] {
  return [...recorded.filter((v) => !given.some((g) => g.name === v.name)), ...given];
}

function namespaceName(text: string): string {
  if (!/^[a-zA-Z0-9-]{1,128}$/.test(text)) throw new InvalidArgumentError(`--namespace ${JSON.stringify(text)} is not a Nomad namespace name (letters, digits and -)`);
  return text;
}

export function registerLocalCluster(program: Command, out: Output): void {
  program
    .command('up')
    .description('start a single-node Nomad cluster on this machine (idempotent), and wait until it can run containers')
    .option('--port <port>', 'Nomad HTTP port; RPC and Serf use the next two (default: the recorded one, else $NOM_NOMAD_PORT, else 4646)', port)
    .option('--install-deps', "install Debian's docker.io and start dockerd when no Docker engine runs (root, apt)")
    .option('--no-nomad-config', 'do not write ~/.config/nomad even when it does not exist')
    .option('--namespace <namespace>', 'a namespace whose jobs get a persistent directory /pv/<namespace> besides default (repeatable; remembered)', collect)
    .option('--trusted', 'containers may mount host paths and namespace default is granted everything, as in the system nom replaces (remembered; --no-trusted undoes)')
    .option('--no-trusted', 'the default: no host paths, no grants beyond /pv')
    .option('--consul', 'run Consul 1.14 beside Nomad (ACLs on) and register services there by default, as the system nom replaces did (remembered; --no-consul undoes)')
    .option('--no-consul', 'the default: services register with Nomad itself; stops a Consul that nom up started')
    .option('--host-volume <name=dir[:ro]>', 'offer a directory of this machine as a named host volume, for nom grants --host-volume (repeatable; remembered, a name given again replaces it)', collect)
    .action(async (opts: { port?: number; installDeps?: boolean; nomadConfig: boolean; namespace?: string[]; trusted?: boolean; consul?: boolean; hostVolume?: string[] }) => {
      const home = nomHome(process.env, homedir());
      const envPort = process.env.NOM_NOMAD_PORT ? port(process.env.NOM_NOMAD_PORT) : undefined;
      const recorded = readLocalState(home);
      const httpPort = opts.port ?? recorded?.httpPort ?? envPort ?? 4646;
      // Like the Nomad port: the environment, else what this cluster used before, else the default.
      const listener = (name: 'NOM_HTTPS_PORT' | 'NOM_HTTP_PORT', before: string | undefined, fallback: number) =>
        process.env[name] ? port(process.env[name]!) : before ? Number(before.split(':').pop()) : fallback;
      const ingress = { https: listener('NOM_HTTPS_PORT', recorded?.ingress?.https, 8443), http: listener('NOM_HTTP_PORT', recorded?.ingress?.http, 8080) };
      const began = Date.now();
      const result = await up({
        home,
        homedir: homedir(),
        httpPort,
        ingress,
        installDeps: Boolean(opts.installDeps),
        pvNamespaces: [...(recorded?.pvNamespaces ?? []), ...(opts.namespace ?? []).map(namespaceName)],
        trusted: opts.trusted ?? recorded?.trusted ?? false,
        consul: opts.consul ?? recorded?.consul !== undefined,
        hostVolumes: withVolumes(recorded?.hostVolumes ?? [], (opts.hostVolume ?? []).map((text) => parseHostVolume(text))),
        nomadConfigFile: opts.nomadConfig ? (process.env.NOM_NOMAD_CONFIG_FILE ?? join(homedir(), '.config', 'nomad')) : undefined,
        env: process.env,
        say: out.say,
      });
      const { layout } = result;
      out.say(`Nomad ${result.nomadVersion} is ${result.started ? 'up' : 'already running'} at ${result.address} (${((Date.now() - began) / 1000).toFixed(1)}s)`);
      out.say(`  UI:      ${result.address}/ui`);
      out.say(`  token:   ${layout.tokenFile}`);
      out.say(`  data:    ${layout.dataDir}`);
      out.say(`  log:     ${layout.logFile}`);
      if (result.state.ingress) {
        out.say(`  ingress: https://${result.state.ingress.https} and http://${result.state.ingress.http} (Caddy, routed by nom router)`);
        out.say(`  CA:      ${result.state.ingress.caCert}`);
      }
      if (result.state.consul) out.say(`  consul:  ${result.state.consul.address} (services register here; its tokens: ${layout.consulTokensFile})`);
      out.say('  use it:  eval "$(nom env)"');
    });

  program
    .command('down')
    .description('stop the local cluster and the containers of its jobs (jobs stay registered)')
    .option('--purge', "also delete the cluster's data (jobs, variables, token) and stop a dockerd that nom up started")
    .action(async (opts: { purge?: boolean }) => {
      await down({ home: nomHome(process.env, homedir()), purge: Boolean(opts.purge), env: process.env, say: out.say });
    });

  program
    .command('env')
    .description('print export lines for NOMAD_ADDR and NOMAD_TOKEN of the local cluster (and CONSUL_HTTP_ADDR and a read-only CONSUL_HTTP_TOKEN with --consul): eval "$(nom env)"')
    .action(() => {
      const home = nomHome(process.env, homedir());
      const state = readLocalState(home);
      const tokenFile = localLayout(home).tokenFile;
      if (!state || !existsSync(tokenFile)) throw new CommandError(`no local cluster in ${home}: run \`nom up\` first`);
      const lines = envLines(state.address, readFileSync(tokenFile, 'utf8').trim());
      if (state.ingress) {
        lines.push(`export NOM_INGRESS_HTTPS=${state.ingress.https}`, `export NOM_INGRESS_HTTP=${state.ingress.http}`, `export NOM_CA_CERT=${state.ingress.caCert}`);
        lines.push(`export NOM_CONSOLE_URL=${localConsoleUrl(state.ingress.https)}`);
      }
      if (state.consul) {
        // The read token: what nom status and the deploy's failure reasons need to see checks.
        const tokens = JSON.parse(readFileSync(localLayout(home).consulTokensFile, 'utf8')) as { reader: string };
        lines.push(`export CONSUL_HTTP_ADDR=${state.consul.address}`, `export CONSUL_HTTP_TOKEN=${tokens.reader}`);
      }
      out.result(lines.join('\n'));
    });
}
