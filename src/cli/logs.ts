import type { Command } from 'commander';
import { showLogs } from '../operate/follow-logs.js';
import { openJob } from './job-target.js';
import { NAMESPACE_OPTION, wholeNumber } from './arguments.js';
import type { Output } from './output.js';

const lineCount = wholeNumber('a number of lines, like 100 (0: the whole log)');

export function registerLogs(program: Command, out: Output): void {
  program
    .command('logs [job]')
    .description('a job\'s logs (stdout; --stderr): the last lines of each running allocation; -f follows them, and the allocations that start later, until Ctrl-C')
    .option('-f, --follow', 'keep printing what is written, across restarts and new allocations')
    .option('--stderr', 'stderr instead of stdout')
    .option('--task <task>', 'the task (default: the main task)')
    .option('--alloc <alloc>', 'one allocation: its index (0 for web[0]) or a prefix of its ID')
    .option('--tail <lines>', 'lines of history to show first; 0 for the whole log', lineCount, 100)
    .option(...NAMESPACE_OPTION)
    .action(async (arg: string | undefined, opts: { follow?: boolean; stderr?: boolean; task?: string; alloc?: string; tail: number; namespace?: string }) => {
      const { nomad, namespace, job } = await openJob(arg, opts);
      const stop = new AbortController();
      // Ctrl-C ends a follow at once and cleanly: streams stop, the process exits 0.
      const interrupt = () => {
        stop.abort();
        nomad.close();
      };
      process.once('SIGINT', interrupt);
      process.once('SIGTERM', interrupt);
      try {
        await showLogs(
          nomad,
          { job, namespace, type: opts.stderr ? 'stderr' : 'stdout', task: opts.task, alloc: opts.alloc, tail: opts.tail, follow: Boolean(opts.follow) },
          { write: (text) => text && process.stdout.write(text), warn: (line) => out.warn(line) },
          stop.signal,
        );
      } finally {
        process.off('SIGINT', interrupt);
        process.off('SIGTERM', interrupt);
        nomad.close();
      }
    });
}
