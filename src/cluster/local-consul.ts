import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { ConsulClient } from '../consul/client.js';
import { consulAt } from '../consul/config.js';
import { ConsulError } from '../consul/http.js';
import { consulPolicies, consulPorts, localConsulConfig } from './consul-config.js';
import type { LocalLayout } from './local-layout.js';
import { isRunning, logTail, portInUse, readPid, runsWith, sleep, spawnDaemon, waitFor } from './processes.js';

/** The tokens `nom up --consul` made, kept in the layout's tokens file (0600). */
export interface ConsulTokens {
  readonly management: string;
  /** Nomad's, in its agent configuration. */
  readonly nomad: string;
  /** The router's and the operators' (`nom env` exports it): reads services, nodes, checks. */
  readonly reader: string;
}

/**
 * Starts the local Consul server (or finds it running; restarted when its configuration
 * changed), bootstraps its ACLs once and makes nom's tokens. Returns its address and tokens.
 */
export async function startLocalConsul(o: {
  layout: LocalLayout;
  binary: string;
  nomadHttpPort: number;
  env: Readonly<Record<string, string | undefined>>;
  say: (line: string) => void;
  fail: (message: string) => Error;
}): Promise<{ address: string; tokens: ConsulTokens }> {
  const { layout } = o;
  mkdirSync(layout.consulDataDir, { recursive: true });
  const config = `${JSON.stringify(localConsulConfig({ dataDir: layout.consulDataDir, nomadHttpPort: o.nomadHttpPort }), null, 2)}\n`;
  const changed = (existsSync(layout.consulConfigFile) ? readFileSync(layout.consulConfigFile, 'utf8') : '') !== config;
  writeFileSync(layout.consulConfigFile, config);
  const ports = consulPorts(o.nomadHttpPort);
  const address = `http://127.0.0.1:${ports.http}`;

  let pid = readPid(layout.consulPid);
  if (pid !== undefined && isRunning(pid, o.binary) && changed) {
    o.say('the Consul configuration changed: restarting Consul');
    await stopLocalConsul(layout, o.say);
    pid = undefined;
  }
  if (pid === undefined || !isRunning(pid, o.binary)) {
    for (const port of Object.values(ports)) {
      if (await portInUse(port)) throw o.fail(`port ${port} on 127.0.0.1, which Consul needs, is taken by another program: choose other ports with --port`);
    }
    o.say(`starting Consul (${o.binary}) at ${address}`);
    pid = spawnDaemon(o.binary, ['agent', `-config-file=${layout.consulConfigFile}`], layout.consulLog, o.env);
    // Not in the sessions file: Consul leaves no helpers behind, and a killed Consul's PID left
    // there could be reused by another process that `nom down` would then kill.
    writeFileSync(layout.consulPid, `${pid}\n`);
  }
  const started = pid;
  const anonymous = new ConsulClient(consulAt(address));
  try {
    await waitFor(
      async () => {
        if (!isRunning(started)) throw o.fail(`Consul exited while starting; its log ends:\n${logTail(layout.consulLog, 15)}`);
        return (await anonymous.status.leader().catch(() => '')) ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, onTimeout: () => o.fail(`Consul elected no leader within 60s; its log ends:\n${logTail(layout.consulLog, 15)}`) },
    );
    const tokens = existsSync(layout.consulTokensFile) ? (JSON.parse(readFileSync(layout.consulTokensFile, 'utf8')) as ConsulTokens) : await makeTokens(anonymous, layout, o.fail);
    const management = new ConsulClient(consulAt(address, tokens.management));
    try {
      // A restarted server is leader before it has replayed its log: until then it knows no token
      // (403 "ACL not found"). Only a refusal that lasts means the ACL state was reset.
      await waitFor(
        async () =>
          management.acl.self().then(
            () => true,
            (e: unknown) => {
              if (e instanceof ConsulError && e.status === 403) return undefined;
              throw e;
            },
          ),
        { timeoutMs: 15_000, intervalMs: 250, onTimeout: () => o.fail(`Consul refuses the tokens in ${layout.consulTokensFile}: its ACL state was reset. Run \`nom down --purge\` and \`nom up --consul\` to start afresh.`) },
      );
    } finally {
      management.close();
    }
    return { address, tokens };
  } finally {
    anonymous.close();
  }
}

/** Bootstraps Consul's ACLs (retrying while the new server settles) and makes the agent's, Nomad's and the reader's tokens. */
async function makeTokens(anonymous: ConsulClient, layout: LocalLayout, fail: (m: string) => Error): Promise<ConsulTokens> {
  const bootstrap = await waitFor(
    async () =>
      anonymous.acl.bootstrap().catch((e: unknown) => {
        if (e instanceof ConsulError && e.status === 403) throw fail(`Consul's ACLs were bootstrapped before but ${layout.consulTokensFile} is gone. Run \`nom down --purge\` and \`nom up --consul\` to start afresh.`);
        return undefined; // "ACL system is currently in legacy mode" or no leader yet: a moment later
      }),
    { timeoutMs: 30_000, intervalMs: 500, onTimeout: () => fail('Consul did not accept the ACL bootstrap within 30s') },
  );
  const consul = new ConsulClient(consulAt(anonymous.http.config.address, bootstrap.SecretID));
  try {
    const policies = consulPolicies();
    for (const p of Object.values(policies)) await consul.acl.createPolicy(p);
    const agent = await consul.acl.createToken('nom: the Consul agent', [policies.agent.Name]);
    await consul.agent.setAgentToken(agent.SecretID);
    const tokens: ConsulTokens = {
      management: bootstrap.SecretID,
      nomad: (await consul.acl.createToken('nom: Nomad', [policies.nomad.Name])).SecretID,
      reader: (await consul.acl.createToken('nom: the router and operators (read)', [policies.reader.Name])).SecretID,
    };
    writeFileSync(layout.consulTokensFile, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
    return tokens;
  } finally {
    consul.close();
  }
}

/** Stops the local Consul agent (SIGINT: it leaves the cluster cleanly), if it runs. */
export async function stopLocalConsul(layout: LocalLayout, say: (line: string) => void): Promise<void> {
  const pid = readPid(layout.consulPid);
  if (pid === undefined || !runsWith(pid, layout.consulConfigFile)) return void rmSync(layout.consulPid, { force: true });
  say(`stopping Consul (pid ${pid})`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 60 && isRunning(pid); i++) await sleep(250);
  if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  rmSync(layout.consulPid, { force: true });
}
