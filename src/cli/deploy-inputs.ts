import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { localCiEnv } from '../local/local-git.js';
import { InputError } from '../errors.js';
import type { NomadJob } from '../jobspec/nomad-job.js';
import { hasOverlays } from '../jobspec/overlays.js';
import { isGitCheckout, readGitFacts } from '../local/git-facts.js';
import { readOverlayFiles } from '../local/overlay-files.js';
import type { NomadClient } from '../nomad/client.js';
import { applyOverlays, overlayVariables } from '../render/apply-overlays.js';
import type { RenderResult } from '../render/render-job.js';
import { effectiveEnv, inCi } from './environment.js';

const isLoopback = (address: string) => /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(address);

/**
 * The environment a deploy of `dir` renders from: the pipeline's in CI; elsewhere the one CI
 * would give this checkout (project, branch, commit from git) and the image a local build makes.
 */
export function deployInputs(dir: string | undefined, buildArgs: readonly string[], o: { showOnly?: boolean } = {}): { env: Record<string, string | undefined>; source: string; image: string | undefined } {
  let env = effectiveEnv();
  const source = resolve(dir ?? '.');
  if (inCi(env)) return { env, source, image: undefined };
  const local = isLoopback(env.NOMAD_ADDR ?? 'http://127.0.0.1:4646');
  // A job that is only shown (nom render) needs no registry the cluster can pull from.
  const registry = env.NOM_REGISTRY || (local || o.showOnly ? 'nom.local' : undefined);
  if (!registry) throw InputError.of(`NOMAD_ADDR (${env.NOMAD_ADDR}) is not this machine: set NOM_REGISTRY to a registry the cluster can pull from`);
  env = localCiEnv(readGitFacts(source), env, registry);
  // Build arguments make another image from the same source: another tag.
  if (buildArgs.length) env.CI_COMMIT_SHA = `${env.CI_COMMIT_SHA}-args-${createHash('sha256').update(buildArgs.join('\n')).digest('hex').slice(0, 8)}`;
  env.NOMAD_ADDR ??= 'http://127.0.0.1:4646';
  return { env, source, image: `${env.CI_REGISTRY_IMAGE}/${env.CI_COMMIT_REF_SLUG}:${env.CI_COMMIT_SHA}` };
}


/**
 * For `nom render`: outside CI, a git checkout is named as `nom deploy` names it; elsewhere the
 * environment is taken as it is, and the render says which CI variables it lacks.
 */
export function renderInputs(dir: string | undefined): { env: Record<string, string | undefined>; source: string } {
  const source = resolve(dir ?? '.');
  const env = effectiveEnv();
  if (inCi(env) || !isGitCheckout(source)) return { env, source };
  return deployInputs(dir, [], { showOnly: true });
}

/** The rendered job with the overlay files of `source` applied (Nomad parses their HCL); says which applied. */
export async function jobWithOverlays(result: Extract<RenderResult, { noDeploy: false }>, env: Record<string, string | undefined>, source: string, nomad: NomadClient, say: (line: string) => void): Promise<NomadJob> {
  const overlays = readOverlayFiles(source);
  const job = await applyOverlays(result.job, overlays, overlayVariables(env, result.context, result.target), (hcl, vars) => nomad.jobs.parse(hcl, vars));
  if (hasOverlays(overlays)) say(`applied ${Object.entries(overlays).filter(([, v]) => v).map(([k]) => `${k}.nomad`).join(', ')}`);
  return job;
}
