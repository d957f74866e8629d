import type { Command } from 'commander';
import { ensureDeployAccess } from '../cluster/namespace-access.js';
import { CommandError, InputError } from '../errors.js';
import { NomadError } from '../nomad/http.js';
import { withCluster } from './cluster-access.js';
import type { Output } from './output.js';

const NAMESPACE = /^[a-zA-Z0-9-]{1,128}$/;

/**
 * `nom token create|list|revoke`: deploy tokens, one namespace each, with the deploy policy of
 * that namespace (submit, plan and follow its jobs, keep their secrets and lock) and nothing
 * else. Made with an operator's (management) token.
 */
export function registerToken(program: Command, out: Output): void {
  const token = program.command('token').description('deploy tokens for CI, one namespace each: create, list, revoke (with an operator\'s token)');

  token
    .command('create')
    .description('make a deploy token for one namespace (creating the namespace and its policy when missing); prints its secret once')
    .requiredOption('--namespace <namespace>', 'the namespace it deploys to')
    .option('--name <name>', 'what to call it (default: nom CI deploys to <namespace>)')
    .action(async (opts: { namespace: string; name?: string }) => {
      if (!NAMESPACE.test(opts.namespace)) throw InputError.of(`--namespace ${JSON.stringify(opts.namespace)} is not a Nomad namespace name (letters, digits and -)`);
      await withCluster(async (nomad) => {
        const policy = await ensureDeployAccess(nomad, opts.namespace, out.say);
        const made = await nomad.acl.createToken({ Name: opts.name ?? `nom CI deploys to ${opts.namespace}`, Type: 'client', Policies: [policy.Name] });
        out.say(`made a deploy token for namespace ${opts.namespace} (accessor ${made.AccessorID}, policy ${policy.Name}); its secret follows, shown this once: put it in the CI variable NOMAD_TOKEN, masked`);
        out.result(made.SecretID);
      });
    });

  token
    .command('list')
    .description('the deploy tokens nom made: accessor, name, policies, created')
    .option('--json', 'print them as JSON')
    .action(async (opts: { json?: boolean }) =>
      withCluster(async (nomad) => {
        const deploy = (await nomad.acl.tokens()).filter((t) => (t.Policies ?? []).some((p) => p.startsWith('deploy-')));
        if (opts.json) return out.result(JSON.stringify(deploy, null, 2));
        out.result(deploy.length ? deploy.map((t) => `${t.AccessorID}  ${t.Name}  ${(t.Policies ?? []).join(',')}  ${t.CreateTime}`).join('\n') : 'no deploy tokens');
      }),
    );

  token
    .command('revoke <accessor>')
    .description('revoke a token by its accessor ID (as `nom token list` shows it)')
    .action(async (accessor: string) =>
      withCluster(async (nomad) => {
        try {
          await nomad.acl.token(accessor);
        } catch (e) {
          if (e instanceof NomadError && (e.status === 404 || e.status === 400)) throw new CommandError(`no token with accessor ${accessor}`);
          throw e;
        }
        await nomad.acl.deleteToken(accessor);
        out.result(`revoked ${accessor}`);
      }),
    );
}
