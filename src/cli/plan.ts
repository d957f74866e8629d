import type { Command } from 'commander';
import { previewDeploy } from '../deploy/deploy-preview.js';
import { NomadClient } from '../nomad/client.js';
import { collect } from './arguments.js';
import { readGrants } from '../deploy/namespace-grants.js';
import { checkContainers, deployConfiguration, jobWithOverlays } from './deploy-configuration.js';
import { deployLog } from './deploy-log.js';
import { effectiveEnv } from './environment.js';
import { EXIT } from './exit-codes.js';
import type { Output } from './output.js';

/**
 * What `nom deploy` would change, from the same configuration, without changing anything: no
 * image is built, no lock taken, no secret written, no job registered. The lines go to stdout;
 * the exit code says whether anything would change (0 no, 7 yes; 4 when Nomad could not place it).
 */
export async function planDeploy(dir: string | undefined, buildArgs: readonly string[], out: Output): Promise<void> {
  const log = deployLog();
  const config = deployConfiguration(effectiveEnv(), { dir, buildArgs, purpose: 'plan', cwd: process.cwd() });
  for (const line of config.lines) log.info(line);
  if (config.noDeploy) return;
  for (const line of config.rendered.warnings) log.warn(line);
  const nomad = new NomadClient(config.nomad);
  try {
    const overlaid = await jobWithOverlays(config, nomad, (line) => log.info(line), (line) => log.warn(line));
    const job = checkContainers(config, overlaid, await readGrants(nomad, overlaid.Namespace, (line) => log.warn(line)));
    const { context } = config.rendered;
    const preview = await previewDeploy(nomad, { job, secrets: context.secrets, registryPassword: context.registryAuth?.password });
    log.done();
    out.result([...preview.lines, ...preview.cannotPlace.map((l) => `plan: ${l}`)].join('\n'));
    process.exitCode = preview.cannotPlace.length ? EXIT.placementFailed : preview.changed ? EXIT.wouldChange : EXIT.ok;
  } finally {
    log.done();
    nomad.close();
  }
}

export function registerPlan(program: Command, out: Output): void {
  program
    .command('plan [dir]')
    .description('what nom deploy would change (Nomad\'s plan of the job, hostnames, secret names — never values), changing nothing; exit 0: nothing would change, 7: something would')
    .option('--build-arg <KEY=value>', 'as for nom deploy: they change the image tag (repeatable; local deploys)', collect, [])
    .action(async (dir: string | undefined, opts: { buildArg: string[] }) => planDeploy(dir, opts.buildArg, out));
}
