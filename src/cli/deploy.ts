import type { Command } from 'commander';
import { writeCiOutputs } from '../deploy/ci-outputs.js';
import { deploy } from '../deploy/deploy.js';
import { buildImage, pushImage } from '../local/image-build.js';
import { NomadClient } from '../nomad/client.js';
import { ConsulClient } from '../consul/client.js';
import { consulConfig } from '../consul/config.js';
import { jobUrls } from '../operate/job-status.js';
import { collect, duration } from './arguments.js';
import { readGrants } from '../deploy/namespace-grants.js';
import { checkContainers, deployConfiguration, jobWithOverlays } from './deploy-configuration.js';
import { deployLog } from './deploy-log.js';
import { effectiveEnv } from './environment.js';
import type { Output } from './output.js';
import { planDeploy } from './plan.js';

export function registerDeploy(program: Command, out: Output): void {
  program
    .command('deploy [dir]')
    .description('deploy: in CI, the pipeline\'s image; elsewhere, build <dir>\'s Dockerfile (default .) and deploy that. Waits until the new version is healthy.')
    .option('--timeout <duration>', 'give up after this long (default: the job\'s own deadlines plus a margin)', duration)
    .option('--build-arg <KEY=value>', 'passed to docker build (repeatable; local deploys)', collect, [])
    .option('--dry-run', 'say what the deploy would change and change nothing (the same as nom plan)')
    .action(async (dir: string | undefined, opts: { timeout?: number; buildArg: string[]; dryRun?: boolean }) => {
      if (opts.dryRun) return planDeploy(dir, opts.buildArg, out);
      const log = deployLog();
      // Read and checked before anything is built: a bad setting stops here, with nothing built or sent.
      const config = deployConfiguration(effectiveEnv(), { dir, buildArgs: opts.buildArg, purpose: 'deploy', cwd: process.cwd() });
      for (const line of config.lines) log.info(line);
      if (config.noDeploy) return;
      const { rendered } = config;
      const consulAt = consulConfig(effectiveEnv());
      for (const line of rendered.warnings) log.warn(line);
      for (const build of config.builds) {
        log.info(`building ${build.image} from ${config.source}${build.dockerfile === 'Dockerfile' ? '' : ` (${build.dockerfile})`}`);
        await buildImage(config.source, build, config.buildArgs);
        if (config.push) {
          log.info(`pushing ${build.image}`);
          await pushImage(build.image);
        }
      }
      const nomad = new NomadClient(config.nomad);
      const consul = consulAt && new ConsulClient(consulAt);
      try {
        const overlaid = await jobWithOverlays(config, nomad, (line) => log.info(line), (line) => log.warn(line));
        const job = checkContainers(config, overlaid, await readGrants(nomad, overlaid.Namespace, (line) => log.warn(line)));
        const { context } = rendered;
        const done = await deploy(nomad, { job, secrets: context.secrets, registryPassword: context.registryAuth?.password, timeoutMs: opts.timeout, run: context.runUrl, consul }, log);
        log.done();
        const routed = jobUrls(job).filter((u) => !u.canary && u.url.startsWith('https://')).map((u) => u.url);
        log.info(done.unchanged ? `no changes: version ${done.version} is deployed` : `deployed ${job.ID}${done.version === undefined ? '' : ` version ${done.version}`}`);
        for (const instance of done.instances) log.info(`instance ${instance}`);
        const written = writeCiOutputs({ job: job.ID, version: done.version, urls: routed, image: context.image }, config.outputs);
        if (written.length) log.info(`wrote ${written.join(', ')}`);
        for (const url of routed) out.result(url);
      } finally {
        log.done();
        nomad.close();
        consul?.close();
      }
    });
}
