import { CommandError } from '../../errors.js';
import { consulPolicies, nomadConsulBlock } from '../consul-config.js';
import type { ClusterStore } from './cluster-store.js';
import type { HostFacts } from './host-plan.js';
import { shellQuote, tokenFileStep } from './host-plan.js';
import { consulAgentTokenConfig, CONSUL_HTTP, nomadConsulConfig, PATHS } from './node-files.js';
import type { SshHost } from './ssh-host.js';

/** The Consul tokens nom makes on a cluster (secrets). */
export interface ClusterConsulTokens {
  readonly nomad: string;
  readonly agent: string;
  /** The routers'. */
  readonly reader: string;
}

/**
 * The consul CLI on a node, against its own agent (Consul's API listens on loopback only), with
 * `token` given on stdin: a token never appears on a command line or in a process list.
 */
function consulScript(body: string): string {
  return ['set -e', `export CONSUL_HTTP_ADDR=${CONSUL_HTTP}`, 'IFS= read -r CONSUL_HTTP_TOKEN || true', 'export CONSUL_HTTP_TOKEN', `consul=${PATHS.consulBinary}`, body].join('\n');
}
const withToken = (token: string | undefined) => Buffer.from(`${token ?? ''}\n`);

/**
 * Bootstraps Consul's ACLs once, from the first node (retrying while its servers elect a
 * leader); the management token is kept in the store the moment Consul gives it.
 */
async function bootstrap(first: SshHost, store: ClusterStore, say: (line: string) => void): Promise<string> {
  const kept = store.consulSecret('management-token');
  if (kept) return kept;
  say('waiting for the Consul servers to elect a leader, then bootstrapping Consul\'s ACLs');
  const script = consulScript(
    [
      'i=0',
      'while :; do',
      '  if out=$("$consul" acl bootstrap -format=json 2>&1); then printf "%s\\n" "$out"; exit 0; fi',
      '  case "$out" in *"no longer allowed"*) echo "$out" >&2; exit 3 ;; esac',
      '  i=$((i + 1)); [ $i -lt 90 ] || { echo "$out" >&2; exit 1; }',
      '  sleep 2',
      'done',
    ].join('\n'),
  );
  const result = await first.run(script, withToken(undefined));
  if (result.code === 3) throw new CommandError(`${first.name}: Consul's ACLs were bootstrapped before, and its management token is not in ${store.dir}: copy it there (consul-management-token)`);
  if (result.code !== 0) throw new CommandError(`${first.name}: Consul did not accept the ACL bootstrap within 3 minutes: ${result.stderr.trim().split('\n').slice(-3).join(' ')} (see /var/log/nom/consul.log or journalctl -u consul)`);
  const secret = (JSON.parse(result.stdout) as { SecretID: string }).SecretID;
  store.saveConsulSecret('management-token', secret);
  say(`bootstrapped Consul's ACLs: the management token is kept (mode 0600) in ${store.dir}`);
  return secret;
}

/** Nom's policies (made, or brought up to date) and a token for each use, made once and kept in the store. */
async function tokens(first: SshHost, store: ClusterStore, management: string): Promise<ClusterConsulTokens> {
  const policies = consulPolicies();
  const upsert = Object.values(policies).map((p) => {
    const args = `-name ${shellQuote(p.Name)} -rules ${shellQuote(p.Rules)}`;
    return `"$consul" acl policy create ${args} -description ${shellQuote(p.Description)} >/dev/null 2>&1 || "$consul" acl policy update ${args} >/dev/null`;
  });
  await first.must('write nom\'s Consul policies', consulScript(upsert.join('\n')), withToken(management));
  const made: Record<string, string> = {};
  for (const [name, policy, description] of [['nomad', policies.nomad.Name, 'nom: Nomad'], ['agent', policies.agent.Name, 'nom: the Consul agents'], ['reader', policies.reader.Name, 'nom: the routers (read)']] as const) {
    const file = `${name}-token` as const;
    const [accessor, secret] = (store.consulSecret(file) ?? '').split(/\s+/);
    if (accessor && secret && (await first.run(consulScript(`"$consul" acl token read -id ${shellQuote(accessor)} >/dev/null`), withToken(management))).code === 0) {
      made[name] = secret;
      continue;
    }
    const out = await first.must(`make the Consul token "${description}"`, consulScript(`"$consul" acl token create -description ${shellQuote(description)} -policy-name ${shellQuote(policy)} -format=json`), withToken(management));
    const token = JSON.parse(out.stdout) as { AccessorID: string; SecretID: string };
    store.saveConsulSecret(file, `${token.AccessorID} ${token.SecretID}`);
    made[name] = token.SecretID;
  }
  return made as unknown as ClusterConsulTokens;
}

/**
 * Consul on a cluster's nodes, once its servers run: ACLs bootstrapped (from the first node),
 * nom's policies and tokens, then on each node the agent's token and Nomad's consul block
 * (files of 0600), restarting Consul or Nomad only where one changed. Returns the tokens and
 * how many files changed.
 */
export async function consulAccess(first: SshHost, hosts: readonly [SshHost, HostFacts][], store: ClusterStore, say: (line: string) => void, step: (host: string, what: string) => void): Promise<{ tokens: ClusterConsulTokens; changed: number }> {
  const management = await bootstrap(first, store, say);
  const made = await tokens(first, store, management);
  let changed = 0;
  for (const [host, facts] of hosts) {
    const steps = [
      tokenFileStep(facts, PATHS.consulAgentToken, consulAgentTokenConfig(made.agent), 'consul', 'the Consul agent\'s token'),
      tokenFileStep(facts, PATHS.nomadConsulConfig, nomadConsulConfig(nomadConsulBlock(CONSUL_HTTP, made.nomad)), 'nomad', 'Nomad\'s Consul token'),
    ];
    for (const s of steps) {
      if (!s) continue;
      changed++;
      step(host.name, s.title);
      await host.must(s.title, s.script, s.input!());
    }
  }
  return { tokens: made, changed };
}
