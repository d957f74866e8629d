import { createHash, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { localCiEnv } from '../context/local-git.js';
import { writeCiOutputs } from '../deploy/ci-outputs.js';
import { deploy } from '../deploy/deploy.js';
import { readGitFacts } from '../local/git-facts.js';
import { jobUrls } from '../operate/job-status.js';
import { readOverlayFiles } from '../local/overlay-files.js';
import { hasOverlays } from '../jobspec/overlays.js';
import { applyOverlays, overlayVariables } from '../render/apply-overlays.js';
import { buildImage, pushImage } from '../local/image-build.js';
import { renderJob } from '../render/render-job.js';
import { collect, duration } from './arguments.js';
import { deployLog } from './deploy-log.js';
import { clientForTarget, effectiveEnv, inCi } from './environment.js';
import type { Output } from './output.js';
import { InputError } from '../errors.js';

const isLoopback = (address: string) => /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(address);

export function registerDeploy(program: Command, out: Output): void {
  program
    .command('deploy [dir]')
    .description('deploy: in CI, the pipeline\'s image; elsewhere, build <dir>\'s Dockerfile (default .) and deploy that. Waits until the new version is healthy.')
    .option('--timeout <duration>', 'give up after this long (default: the job\'s own deadlines plus a margin)', duration)
    .option('--build-arg <KEY=value>', 'passed to docker build (repeatable; local deploys)', collect, [])
    .action(async (dir: string | undefined, opts: { timeout?: number; buildArg: string[] }) => {
      const log = deployLog();
      let env = effectiveEnv();
      const source = resolve(dir ?? '.');
      let image: string | undefined;
      if (!inCi(env)) {
        const local = isLoopback(env.NOMAD_ADDR ?? 'http://127.0.0.1:4646');
        const registry = env.NOM_REGISTRY || (local ? 'nom.local' : undefined);
        if (!registry) throw InputError.of(`NOMAD_ADDR (${env.NOMAD_ADDR}) is not this machine: set NOM_REGISTRY to a registry the cluster can pull from`);
        env = localCiEnv(readGitFacts(source), env, registry);
        // Build arguments make another image from the same source: another tag.
        if (opts.buildArg.length) env.CI_COMMIT_SHA = `${env.CI_COMMIT_SHA}-args-${createHash('sha256').update(opts.buildArg.join('\n')).digest('hex').slice(0, 8)}`;
        env.NOMAD_ADDR ??= 'http://127.0.0.1:4646';
        image = `${env.CI_REGISTRY_IMAGE}/${env.CI_COMMIT_REF_SLUG}:${env.CI_COMMIT_SHA}`;
      }

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
        const overlays = readOverlayFiles(source);
        const job = await applyOverlays(result.job, overlays, overlayVariables(env, context, target), (hcl, vars) => nomad.jobs.parse(hcl, vars));
        if (hasOverlays(overlays)) log.info(`applied ${Object.entries(overlays).filter(([, v]) => v).map(([k]) => `${k}.nomad`).join(', ')}`);
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
