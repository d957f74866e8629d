import { appendFileSync, writeFileSync } from 'node:fs';

export interface DeployedApp {
  readonly job: string;
  readonly version: number | undefined;
  readonly urls: readonly string[];
  readonly image: string;
}

/** GitLab's dotenv report: `environment:url: $DYNAMIC_ENVIRONMENT_URL` in the deploy job. */
export function gitlabDotenv(app: DeployedApp): string {
  return [`DYNAMIC_ENVIRONMENT_URL=${app.urls[0] ?? ''}`, `NOM_URL=${app.urls[0] ?? ''}`, `NOM_JOB=${app.job}`].join('\n') + '\n';
}

/** Lines for $GITHUB_OUTPUT: `steps.<id>.outputs.url`. */
export function githubOutput(app: DeployedApp): string {
  return `url=${app.urls[0] ?? ''}\njob=${app.job}\n`;
}

/** A short markdown table for $GITHUB_STEP_SUMMARY. */
export function githubSummary(app: DeployedApp): string {
  const rows = [`| job | \`${app.job}\` |`, `| version | ${app.version ?? '—'} |`, `| image | \`${app.image}\` |`, ...app.urls.map((u) => `| url | ${u} |`)];
  return ['### Deployed with nom', '', '| | |', '|---|---|', ...rows, ''].join('\n') + '\n';
}

/** Writes what the CI in `env` reads back: deploy.env on GitLab, the output and summary files on GitHub. */
export function writeCiOutputs(app: DeployedApp, env: NodeJS.ProcessEnv, cwd: string): string[] {
  const written: string[] = [];
  if (env.GITLAB_CI) {
    writeFileSync(`${cwd}/deploy.env`, gitlabDotenv(app));
    written.push('deploy.env');
  }
  if (env.GITHUB_OUTPUT) {
    appendFileSync(env.GITHUB_OUTPUT, githubOutput(app));
    written.push('$GITHUB_OUTPUT');
  }
  if (env.GITHUB_STEP_SUMMARY) {
    appendFileSync(env.GITHUB_STEP_SUMMARY, githubSummary(app));
    written.push('$GITHUB_STEP_SUMMARY');
  }
  return written;
}
