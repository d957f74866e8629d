import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { withConfigFile } from '../nomad/config.js';

/**
 * The process environment, with the NOMAD_* values of ~/.config/nomad filling in what the
 * environment leaves unset (the file the existing system and `nom up` write). Not in CI: there
 * the pipeline's variables alone decide, and NOMAD_ADDR defaults to https://<BASE_DOMAIN>.
 */
export function effectiveEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const file = env.NOM_NOMAD_CONFIG_FILE ?? join(homedir(), '.config', 'nomad');
  if (inCi(env) || !existsSync(file)) return { ...env };
  return withConfigFile(env, readFileSync(file, 'utf8'));
}

/** Whether this runs inside a CI job that describes the deploy (GitLab or GitHub variables). */
export function inCi(env: Record<string, string | undefined>): boolean {
  return Boolean(env.GITHUB_ACTIONS || env.GITLAB_CI || env.CI_PROJECT_PATH_SLUG);
}
