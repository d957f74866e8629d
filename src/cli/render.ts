import type { Command } from 'commander';
import type { RenderResult } from '../render/render-job.js';
import { DECLARATIONS, type SettingName } from '../settings/declarations.js';
import { PREFIX } from '../settings/read-settings.js';
import type { Output } from './output.js';
import { deployConfiguration, jobWithOverlays } from './deploy-configuration.js';
import { effectiveEnv } from './environment.js';
import { hasOverlays } from '../jobspec/overlays.js';
import { NomadClient } from '../nomad/client.js';
import { NomadError } from '../nomad/http.js';

export function registerRender(program: Command, out: Output): void {
  program
    .command('render [dir]')
    .description('print the Nomad job (API JSON) that nom deploy would submit: from this CI environment, or from the git checkout of dir (default .)')
    .option('--explain', 'also list every setting with its value and where it came from')
    .action(async (dir: string | undefined, options: { explain?: boolean }) => {
      const env = effectiveEnv();
      const config = deployConfiguration(env, { dir, purpose: 'render', cwd: process.cwd() });
      for (const line of config.lines) out.say(line);
      if (config.noDeploy) return;
      const { rendered } = config;
      for (const line of rendered.warnings) out.warn(line);
      if (options.explain) for (const line of explain(rendered, env)) out.say(line);
      let job = rendered.job;
      if (hasOverlays(config.overlays)) {
        const nomad = new NomadClient(config.nomad);
        try {
          job = await jobWithOverlays(config, nomad, (line) => out.say(line));
        } catch (e) {
          // Overlays need Nomad's parser; without a reachable cluster, say so and render the house job.
          if (!(e instanceof NomadError) || e.status !== undefined) throw e;
          out.warn(`overlays not applied: cannot reach Nomad at ${config.nomad.address} to parse them (${e.code ?? e.message})`);
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
