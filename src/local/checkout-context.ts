import { createHash } from 'node:crypto';
import { readClusterInputs, readRegistryAuth } from '../context/common.js';
import type { DeployContext } from '../context/deploy-context.js';
import { readSecrets } from '../context/secrets.js';
import { refSlug } from '../context/slug.js';
import { asSlug } from '../domain.js';
import type { Env } from '../settings/read-settings.js';
import { localProjectPathSlug, type GitFacts } from './local-git.js';

/** Where a deploy from a checkout goes when the environment does not say. */
export const LOCAL_DEFAULTS = { nomadAddr: 'http://127.0.0.1:4646', baseDomain: 'nom.localhost' } as const;

export interface CheckoutBuild {
  /** The registry the image is named under (and pushed to, unless it is only local). */
  readonly registry: string;
  /** `docker build --build-arg`s: another image from the same source, so another tag. */
  readonly buildArgs: readonly string[];
}

/**
 * The deploy context CI would give this checkout, made from git's facts (not from imitated CI
 * variables): the project path and name from the remote, the branch, and the image
 * `<registry>/<path>/<branch>:<commit>[-dirty-<hash>][-args-<hash>][-deploy]`, the last with
 * NOMAD_VAR_BUILD_DEPLOY as in the pipeline. The environment still gives the cluster, the
 * secrets and CI_MAIN_STYLE.
 */
export function checkoutContext(facts: GitFacts, env: Env, build: CheckoutBuild, buildDeploy: boolean): DeployContext {
  const project = localProjectPathSlug(facts);
  const { commitSha, image } = checkoutImage(facts, build, buildDeploy);
  return {
    provider: 'checkout',
    projectPathSlug: asSlug(project.slug),
    projectName: project.name,
    branch: refSlug(facts.branch),
    branchName: facts.branch,
    commitSha,
    runUrl: undefined,
    image,
    imageTagReused: false,
    registryAuth: readRegistryAuth(env),
    mainStyle: Boolean(env.CI_MAIN_STYLE),
    cluster: readClusterInputs({ ...env, NOMAD_ADDR: env.NOMAD_ADDR || LOCAL_DEFAULTS.nomadAddr, BASE_DOMAIN: env.BASE_DOMAIN || env.KUBE_INGRESS_BASE_DOMAIN || LOCAL_DEFAULTS.baseDomain }),
    secrets: readSecrets(env),
  };
}

/**
 * The image of a checkout, as the pipeline tags it: `<registry>/<path>/<branch>:<commit>`, the
 * commit with `-dirty-<hash>` for uncommitted changes and `-args-<hash>` for build arguments,
 * and `-deploy` for the image of NOMAD_VAR_BUILD_DEPLOY's Dockerfile.
 */
export function checkoutImage(facts: GitFacts, build: CheckoutBuild, deployVariant: boolean): { commitSha: string; image: string } {
  const project = localProjectPathSlug(facts);
  const dirty = facts.dirtyHash ? `-dirty-${facts.dirtyHash}` : '';
  const args = build.buildArgs.length ? `-args-${createHash('sha256').update(build.buildArgs.join('\n')).digest('hex').slice(0, 8)}` : '';
  const commitSha = `${facts.commit}${dirty}${args}`;
  return { commitSha, image: `${build.registry}/${project.path}/${refSlug(facts.branch)}:${commitSha}${deployVariant ? '-deploy' : ''}` };
}
