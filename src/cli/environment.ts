import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DeployTarget } from '../naming/deploy-target.js';
import { NomadClient } from '../nomad/client.js';
import { nomadConfig, parseExportLines } from '../nomad/config.js';

/**
 * The process environment, with the NOMAD_* values of ~/.config/nomad filling in what the
 * environment leaves unset (the file the existing system and `nom up` write). Not in CI: there
 * the pipeline's variables alone decide, and NOMAD_ADDR defaults to https://<BASE_DOMAIN>.
 */
export function effectiveEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const file = env.NOM_NOMAD_CONFIG_FILE ?? join(homedir(), '.config', 'nomad');
  if (inCi(env) || !existsSync(file)) return { ...env };
  const fromFile = Object.fromEntries(Object.entries(parseExportLines(readFileSync(file, 'utf8'))).filter(([k]) => k.startsWith('NOMAD_')));
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') merged[k] = v;
  return merged;
}

/** Whether this runs inside a CI job that describes the deploy (GitLab or GitHub variables). */
export function inCi(env: Record<string, string | undefined>): boolean {
  return Boolean(env.GITHUB_ACTIONS || env.GITLAB_CI || env.CI_PROJECT_PATH_SLUG);
}

/** A client for the cluster a rendered deploy goes to, with the token the naming rules chose. */
export function clientForTarget(env: Record<string, string | undefined>, target: DeployTarget, namespace?: string): NomadClient {
  return new NomadClient(
    nomadConfig({ ...env, NOMAD_ADDR: target.nomadAddr, NOMAD_TOKEN: env[target.tokenVariable] ?? env.NOMAD_TOKEN, ...(namespace ? { NOMAD_NAMESPACE: namespace } : {}) }),
  );
}
