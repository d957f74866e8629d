import { Argument, type Command } from 'commander';
import { NomadClient } from '../nomad/client.js';
import { nomadConfig } from '../nomad/config.js';
import { bashCompletion, zshCompletion, type CompletedCommand } from '../operate/completion-script.js';
import { effectiveEnv } from './environment.js';
import type { Output } from './output.js';
import { InputError } from '../errors.js';

/** What completion knows of a command: read from commander, so it never drifts from the CLI. */
function describe(cmd: Command): CompletedCommand {
  return {
    name: cmd.name(),
    description: cmd.description(),
    options: [
      ...cmd.options.map((o) => ({ names: [o.short, o.long].filter((x): x is string => Boolean(x)), description: o.description, takesValue: o.required || o.optional })),
      { names: ['-h', '--help'], description: 'show the command\'s help', takesValue: false },
    ],
    operands: cmd.registeredArguments.map((a) => (a.argChoices ? a.argChoices : a.name() === 'job' ? 'job' : a.name() === 'file' || a.name() === 'dir' ? 'file' : 'other')),
    variadic: cmd.registeredArguments.at(-1)?.variadic ?? false,
    subcommands: cmd.commands.map(describe),
  };
}

export function registerCompletion(program: Command, out: Output): void {
  program
    .command('completion')
    .description('print shell completion for bash or zsh: source <(nom completion bash)')
    .addArgument(new Argument('[shell]', 'bash or zsh').choices(['bash', 'zsh']))
    .option('--jobs', 'print the cluster\'s job names, one per line (what the completion offers for a job)')
    .action(async (shell: string | undefined, opts: { jobs?: boolean }) => {
      if (opts.jobs) {
        const nomad = new NomadClient(nomadConfig(effectiveEnv()));
        try {
          const jobs = await Promise.race([nomad.jobs.list({ namespace: process.env.NOMAD_NAMESPACE ?? 'default' }), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 1000).unref())]);
          return out.result(jobs.map((j) => j.ID).join('\n'));
        } finally {
          nomad.close();
        }
      }
      const commands = program.commands.map(describe);
      if (shell === 'bash') return out.result(bashCompletion(commands));
      if (shell === 'zsh') return out.result(zshCompletion(commands));
      throw InputError.of(`nom completion needs a shell, bash or zsh${shell ? `, not "${shell}"` : ''}: source <(nom completion bash)`);
    });
}
