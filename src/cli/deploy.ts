import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { writeCiOutputs } from '../deploy/ci-outputs.js';
import { deploy } from '../deploy/deploy.js';
import { jobUrls } from '../operate/job-status.js';
import { buildImage, pushImage } from '../local/image-build.js';
import { renderJob } from '../render/render-job.js';
import { collect, duration } from './arguments.js';
import { deployLog } from './deploy-log.js';
import { clientForTarget } from './environment.js';
import type { Output } from './output.js';
import { planDeploy } from './plan.js';
import { deployInputs, jobWithOverlays } from './deploy-inputs.js';


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
      const { env, source, image } = deployInputs(dir, opts.buildArg);

      // Rendered before anything is built: a bad setting stops here, with nothing built or sent.
      const result = renderJob(env, { renderId: randomUUID() });
      for (const line of result.lines) log.info(line);
      if (result.noDeploy) return;
      for (const line of result.warnings) log.warn(line);
      if (image) {
        log.info(`building ${image} from ${source}`);
        await buildImage(source, image, opts.buildArg);
        if (env.NOM_REGISTRY) {
          log.info(`pushing ${image}`);
          await pushImage(image);
        }
      }
      const { target, context } = result;
      const nomad = clientForTarget(env, target, result.job.Namespace);
      try {
        const job = await jobWithOverlays(result, env, source, nomad, (line) => log.info(line));
        const done = await deploy(nomad, { job, secrets: context.secrets, registryPassword: context.registryAuth?.password, timeoutMs: opts.timeout }, log);
        log.done();
        const routed = jobUrls(job).filter((u) => !u.canary && u.url.startsWith('https://')).map((u) => u.url);
        log.info(done.unchanged ? `no changes: version ${done.version} is deployed` : `deployed ${job.ID}${done.version === undefined ? '' : ` version ${done.version}`}`);
        for (const instance of done.instances) log.info(`instance ${instance}`);
        const written = writeCiOutputs({ job: job.ID, version: done.version, urls: routed, image: context.image }, env, process.cwd());
        if (written.length) log.info(`wrote ${written.join(', ')}`);
        for (const url of routed) out.result(url);
      } finally {
        log.done();
        nomad.close();
      }
    });
}
