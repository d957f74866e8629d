import { Option, type Command } from 'commander';
import { refreshDeployPolicy } from '../cluster/namespace-access.js';
import { deployPolicyName } from '../cluster/remote/deploy-policy.js';
import { readGrants, writeGrants } from '../deploy/namespace-grants.js';
import { InputError } from '../errors.js';
import { describeGrants, NO_GRANTS, type HostVolumeGrant, type NamespaceGrants } from '../jobspec/container-rules.js';
import type { NomadClient } from '../nomad/client.js';
import { collect } from './arguments.js';
import { withCluster } from './cluster-access.js';
import type { Output } from './output.js';

interface GrantOptions {
  trusted?: boolean;
  hostNetwork?: boolean;
  hostPath?: string[];
  home?: 'none' | 'ro' | 'rw';
  hostVolume?: string[];
  none?: boolean;
}

/** The named host volumes as the nodes offer them (an operator's token reads nodes); `name:ro` mounts read-only. */
async function hostVolumeGrants(nomad: NomadClient, wanted: readonly string[]): Promise<HostVolumeGrant[]> {
  const nodes = await Promise.all((await nomad.nodes.list()).map((n) => nomad.nodes.read(n.ID)));
  const offered = new Map(nodes.flatMap((n) => Object.values(n.HostVolumes ?? {})).map((v) => [v.Name, v]));
  return wanted.map((entry) => {
    const [name = '', mode] = entry.split(':');
    const volume = offered.get(name);
    if (!volume || (mode !== undefined && mode !== 'ro')) {
      throw InputError.of(
        `--host-volume ${JSON.stringify(entry)}: ${volume ? 'write name or name:ro' : `no node offers a host volume ${name} (they offer ${[...offered.keys()].sort().join(', ') || 'none'})`}; ` +
          'the nodes declare them: nom up --host-volume <name>=<dir>, or nom cluster create --host-volume <name>=<dir>',
      );
    }
    return { name, path: volume.Path, readOnly: volume.ReadOnly || mode === 'ro' };
  });
}

/**
 * `nom grants <namespace>`: what the namespace's jobs may use on the nodes. Shown without
 * options; changed (by an operator's token) with them. Deploys read it before submitting.
 */
export function registerGrants(program: Command, out: Output): void {
  program
    .command('grants <namespace>')
    .description('what a namespace\'s deploys may use on the nodes (host volumes, /home, the node\'s network, host paths); shown, or changed with an operator\'s token')
    .option('--trusted', 'everything the settings and overlays ask for, as the system nom replaces allowed (only where every pusher administers the nodes)')
    .option('--no-trusted', 'the rules apply again')
    .option('--host-network', 'NOMAD_VAR_NETWORK_MODE=host: the node\'s network')
    .option('--no-host-network', 'not the node\'s network')
    .option('--host-path <dir>', 'a host directory (and all below it) that NOMAD_VAR_VOLUMES and NOMAD_VAR_BIND_MOUNTS may pass in (repeatable; replaces the list)', collect)
    .addOption(new Option('--home <mode>', 'the nodes\' /home (NOMAD_VAR_HOME)').choices(['none', 'ro', 'rw']))
    .option('--host-volume <name[:ro]>', 'a host volume the nodes offer (nom up --host-volume): VOLUMES and BIND_MOUNTS entries of its directory mount it (repeatable; replaces the list)', collect)
    .option('--none', 'take every grant back')
    .action(async (namespace: string, opts: GrantOptions) =>
      withCluster(async (nomad) => {
        const current = await readGrants(nomad, namespace, (line) => out.warn(line));
        const changing = opts.none || opts.trusted !== undefined || opts.hostNetwork !== undefined || opts.hostPath !== undefined || opts.home !== undefined || opts.hostVolume !== undefined;
        if (!changing) return out.result(`${namespace}: ${describeGrants(current)}`);
        const base: NamespaceGrants = opts.none ? NO_GRANTS : current;
        const next: NamespaceGrants = {
          trusted: opts.trusted ?? base.trusted,
          hostNetwork: opts.hostNetwork ?? base.hostNetwork,
          hostPaths: opts.hostPath ?? base.hostPaths,
          home: opts.home ?? base.home,
          hostVolumes: opts.hostVolume ? await hostVolumeGrants(nomad, opts.hostVolume) : base.hostVolumes,
        };
        await writeGrants(nomad, namespace, next);
        if (opts.hostPath?.length && !(await nomad.nodes.list()).some((n) => n.Drivers?.docker?.Attributes?.['driver.docker.volumes.enabled'] === 'true')) {
          out.warn('no node mounts host paths (their docker plugin has volumes off; `nom up --trusted` or `nom cluster create --trusted` turns them on): a deploy using these paths will fail on the nodes');
        }
        // Nomad enforces the host volumes through the namespace's policy: it follows the grants.
        if (await refreshDeployPolicy(nomad, namespace, out.say)) out.say(`updated the policy ${deployPolicyName(namespace)}: its tokens may mount what the grants name`);
        out.result(`${namespace}: ${describeGrants(next)}`);
      }),
    );
}
