import type { DeployContext } from '../context/deploy-context.js';
import { readContext } from '../context/read-context.js';
import { InputError } from '../errors.js';
import { houseJob } from '../jobspec/house-job.js';
import type { NomadJob } from '../jobspec/nomad-job.js';
import { deployTarget, type DeployTarget } from '../naming/deploy-target.js';
import { DECLARATIONS } from '../settings/declarations.js';
import { PREFIX, readSettings, type Env, type SettingsReading } from '../settings/read-settings.js';

export type RenderResult =
  | { readonly noDeploy: true; readonly lines: readonly string[] }
  | {
      readonly noDeploy: false;
      readonly job: NomadJob;
      readonly context: DeployContext;
      readonly target: DeployTarget;
      readonly reading: SettingsReading;
      /** What every render and deploy prints: token choice, cluster, URL. */
      readonly lines: readonly string[];
      readonly warnings: readonly string[];
    };

/** Where the deploy context comes from: the CI variables by default, or a local checkout's facts. */
export type ContextSource = (env: Env, options: { buildDeploy: boolean }) => DeployContext;

/**
 * Environment → context → settings → target → job, with no I/O: the one place where a CI
 * environment becomes a Nomad job. Every bad input is reported at once, before anything is sent.
 */
export function renderJob(env: Env, options: { renderId: string; context?: ContextSource }): RenderResult {
  if (noDeploySet(env[`${PREFIX}NO_DEPLOY`])) {
    return { noDeploy: true, lines: [`${PREFIX}NO_DEPLOY is set: nothing to deploy`] };
  }
  const problems: string[] = [];
  const attempt = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      problems.push(...e.lines);
      return undefined;
    }
  };
  const reading = attempt(() => readSettings(env));
  const context = attempt(() => (options.context ?? readContext)(env, { buildDeploy: Boolean(reading?.settings.BUILD_DEPLOY) }));
  if (!reading || !context) throw new InputError(problems);

  const target = deployTarget(context, reading.settings);
  const job = houseJob(context, target, reading.settings, options);
  return {
    noDeploy: false,
    job,
    context,
    target,
    reading,
    lines: [...target.notices, `nomad cluster ${target.nomadAddr}`, `deploying to https://${target.hostnames[0]}`],
    warnings: [...reading.warnings, ...target.warnings],
  };
}

/** NO_DEPLOY wins over everything else; a bad value is left for readSettings to report. */
function noDeploySet(raw: string | undefined): boolean {
  try {
    return Boolean(raw?.trim()) && DECLARATIONS.NO_DEPLOY.parse(raw!.trim());
  } catch {
    return false;
  }
}
