import { appendFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

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

/** Where the CI reads a deploy's results back (read from its variables once, by the CLI). */
export interface CiOutputs {
  /** GitLab: the dotenv report `deploy.env` in the job's directory. */
  readonly dotenvFile?: string;
  /** GitHub: $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY. */
  readonly githubOutput?: string;
  readonly githubSummary?: string;
}

/** Writes the results where the CI reads them; returns what was written, for the log. */
export function writeCiOutputs(app: DeployedApp, outputs: CiOutputs): string[] {
  const written: string[] = [];
  if (outputs.dotenvFile) {
    writeFileSync(outputs.dotenvFile, gitlabDotenv(app));
    written.push(basename(outputs.dotenvFile));
  }
  if (outputs.githubOutput) {
    appendFileSync(outputs.githubOutput, githubOutput(app));
    written.push('$GITHUB_OUTPUT');
  }
  if (outputs.githubSummary) {
    appendFileSync(outputs.githubSummary, githubSummary(app));
    written.push('$GITHUB_STEP_SUMMARY');
  }
  return written;
}
