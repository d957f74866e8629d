import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { renderJob, type RenderResult } from '../render/render-job.js';
import { DECLARATIONS, type SettingName } from '../settings/declarations.js';
import { PREFIX } from '../settings/read-settings.js';
import type { Output } from './output.js';

export function registerRender(program: Command, out: Output): void {
  program
    .command('render')
    .description('print the Nomad job (API JSON) that a deploy from this CI environment would submit')
    .option('--explain', 'also list every setting with its value and where it came from')
    .action((options: { explain?: boolean }) => {
      const result = renderJob(process.env, { renderId: randomUUID() });
      for (const line of result.lines) out.say(line);
      if (result.noDeploy) return;
      for (const line of result.warnings) out.warn(line);
      if (options.explain) for (const line of explain(result, process.env)) out.say(line);
      out.result(JSON.stringify({ Job: result.job }, null, 2));
    });
}

/** One line per setting: as given in the environment, or its default. */
function explain(result: Extract<RenderResult, { noDeploy: false }>, env: NodeJS.ProcessEnv): string[] {
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
