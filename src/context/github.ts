import { pathSlug, refSlug } from './slug.js';
import type { Env } from '../settings/read-settings.js';
import type { DeployContext } from './deploy-context.js';
import { readClusterInputs, readRegistryAuth, requireVariables } from './common.js';
import { readSecrets } from './secrets.js';


/** GitHub Actions: the context from GITHUB_REPOSITORY, GITHUB_REF_NAME and GITHUB_SHA. */
export function githubContext(env: Env): DeployContext {
  const v = requireVariables(env, ['GITHUB_REPOSITORY', 'GITHUB_REF_NAME', 'GITHUB_SHA'], 'GitHub Actions');
  const repository = v.GITHUB_REPOSITORY.toLowerCase();
  const branch = refSlug(v.GITHUB_REF_NAME);
  // A public repository needs no registry login; a read token then only risks expiring.
  const authEnv = env.PRIVATE_REPO === 'false' ? { ...env, CI_REGISTRY_READ_TOKEN: undefined } : env;
  return {
    provider: 'github',
    projectPathSlug: pathSlug(repository),
    projectName: repository.split('/').pop() ?? repository,
    branch,
    branchName: v.GITHUB_REF_NAME,
    commitSha: v.GITHUB_SHA,
    runUrl: env.GITHUB_RUN_ID ? `${env.GITHUB_SERVER_URL || 'https://github.com'}/${v.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined,
    commitUrl: `${env.GITHUB_SERVER_URL || 'https://github.com'}/${v.GITHUB_REPOSITORY}/commit/${v.GITHUB_SHA}`,
    user: env.GITHUB_ACTOR?.trim() || undefined,
    // Tagged by commit, so a version's image never changes: a rollback runs the old code.
    image: env.CI_GITHUB_IMAGE || `ghcr.io/${repository}:${v.GITHUB_SHA}`,
    imageTagReused: false,
    registryAuth: readRegistryAuth(authEnv),
    mainStyle: Boolean(env.CI_MAIN_STYLE),
    cluster: readClusterInputs(env),
    secrets: readSecrets(env),
  };
}
