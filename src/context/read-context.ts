import type { Env } from '../settings/read-settings.js';
import type { DeployContext } from './deploy-context.js';
import { githubContext } from './github.js';
import { gitlabContext } from './gitlab.js';

/** GitHub Actions when GITHUB_ACTIONS is set, GitLab CI otherwise. */
export function readContext(env: Env, options: { buildDeploy: boolean }): DeployContext {
  return env.GITHUB_ACTIONS ? githubContext(env) : gitlabContext(env, options.buildDeploy);
}
