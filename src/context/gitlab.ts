import { asSlug } from '../domain.js';
import { InputError, ValueProblem, quote } from '../errors.js';
import type { Env } from '../settings/read-settings.js';
import type { DeployContext } from './deploy-context.js';
import { readClusterInputs, readRegistryAuth, requireVariables } from './common.js';
import { readSecrets } from './secrets.js';

/** GitLab CI: its predefined variables say everything. */
export function gitlabContext(env: Env, buildDeploy: boolean): DeployContext {
  const v = requireVariables(env, ['CI_PROJECT_PATH_SLUG', 'CI_COMMIT_REF_SLUG', 'CI_PROJECT_NAME', 'CI_COMMIT_SHA', 'CI_REGISTRY_IMAGE'], 'GitLab CI');
  const slug = (name: 'CI_PROJECT_PATH_SLUG' | 'CI_COMMIT_REF_SLUG') => {
    try {
      return asSlug(v[name]);
    } catch (e) {
      throw InputError.of(`${name} is ${quote(v[name])}: ${(e as ValueProblem).message}`);
    }
  };
  const branch = slug('CI_COMMIT_REF_SLUG');
  const tag = buildDeploy ? `${v.CI_COMMIT_SHA}-deploy` : v.CI_COMMIT_SHA;
  return {
    provider: 'gitlab',
    projectPathSlug: slug('CI_PROJECT_PATH_SLUG'),
    projectName: v.CI_PROJECT_NAME,
    branch,
    branchName: env.CI_COMMIT_REF_NAME?.trim() || undefined,
    commitSha: v.CI_COMMIT_SHA,
    runUrl: env.CI_JOB_URL?.trim() || env.CI_PIPELINE_URL?.trim() || undefined,
    commitUrl: env.CI_PROJECT_URL?.trim() ? `${env.CI_PROJECT_URL.trim()}/-/commit/${v.CI_COMMIT_SHA}` : undefined,
    user: env.GITLAB_USER_LOGIN?.trim() || undefined,
    image: `${v.CI_REGISTRY_IMAGE}/${branch}:${tag}`,
    imageTagReused: false,
    registryAuth: readRegistryAuth(env),
    mainStyle: Boolean(env.CI_MAIN_STYLE),
    cluster: readClusterInputs(env),
    secrets: readSecrets(env),
  };
}
