import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { renderJob, type RenderResult } from '../render/render-job.js';
import { DECLARATIONS, type SettingName } from '../settings/declarations.js';
import { PREFIX } from '../settings/read-settings.js';
import type { Output } from './output.js';
import { clientForTarget } from './environment.js';
import { renderInputs } from './deploy-inputs.js';
import { hasOverlays } from '../jobspec/overlays.js';
import { readOverlayFiles } from '../local/overlay-files.js';
import { NomadError } from '../nomad/http.js';
import { applyOverlays, overlayVariables } from '../render/apply-overlays.js';

export function registerRender(program: Command, out: Output): void {
  program
    .command('render [dir]')
    .description('print the Nomad job (API JSON) that nom deploy would submit: from this CI environment, or from the git checkout of dir (default .)')
    .option('--explain', 'also list every setting with its value and where it came from')
    .action(async (dir: string | undefined, options: { explain?: boolean }) => {
      const { env, source } = renderInputs(dir);
      const result = renderJob(env, { renderId: randomUUID() });
      for (const line of result.lines) out.say(line);
      if (result.noDeploy) return;
      for (const line of result.warnings) out.warn(line);
      if (options.explain) for (const line of explain(result, env)) out.say(line);
      let job = result.job;
      const overlays = readOverlayFiles(source);
      if (hasOverlays(overlays)) {
        const { target } = result;
        const nomad = clientForTarget(env, target);
        try {
          job = await applyOverlays(job, overlays, overlayVariables(env, result.context, target), (hcl, vars) => nomad.jobs.parse(hcl, vars));
        } catch (e) {
          // Overlays need Nomad's parser; without a reachable cluster, say so and render the house job.
          if (!(e instanceof NomadError) || e.status !== undefined) throw e;
          out.warn(`overlays not applied: cannot reach Nomad at ${target.nomadAddr} to parse them (${e.code ?? e.message})`);
        } finally {
          nomad.close();
        }
      }
      out.result(JSON.stringify({ Job: job }, null, 2));
    });
}

/** One line per setting: as given in the environment, or its default. */
function explain(result: Extract<RenderResult, { noDeploy: false }>, env: Record<string, string | undefined>): string[] {
  const { fromEnv } = result.reading;
  const names = Object.keys(DECLARATIONS) as SettingName[];
  const width = Math.max(...names.map((n) => n.length)) + PREFIX.length;
  const { kind, slug, count, hostnames } = result.target;
  const lines = [
    `environment ${kind}, job ${slug}, count ${count}, image ${result.context.image}`,
    `hostnames ${hostnames.join(', ')}`,
  ];
  for (const name of names) {
    const decl = DECLARATIONS[name];
    const shown = fromEnv.has(name) ? env[PREFIX + name]!.trim() : (decl.defaultText ?? JSON.stringify(decl.default));
    lines.push(`${(PREFIX + name).padEnd(width)}  ${fromEnv.has(name) ? 'set    ' : 'default'}  ${shown}`);
  }
  const secrets = [...result.context.secrets.keys()];
  lines.push(`secrets: ${secrets.length ? secrets.join(', ') : 'none'} (values not shown)`);
  return lines;
}
