import type { Command } from 'commander';
import { showLogs } from '../operate/follow-logs.js';
import { openJob } from './cluster-access.js';
import { NAMESPACE_OPTION, wholeNumber } from './arguments.js';
import type { Output } from './output.js';

const lineCount = wholeNumber('a number of lines, like 100 (0: the whole log)');

export function registerLogs(program: Command, out: Output): void {
  program
    .command('logs [job]')
    .description('a job\'s logs (stdout; --stderr): the last lines of each running allocation; -f follows them, and the allocations that start later, until Ctrl-C')
    .option('-f, --follow', 'keep printing what is written, across restarts and new allocations')
    .option('--tail', 'the same as --follow (as Heroku and Dokku say it)')
    .option('--stderr', 'stderr instead of stdout')
    .option('--task <task>', 'the task (default: the main task)')
    .option('--alloc <alloc>', 'one allocation: its index (0 for web[0]) or a prefix of its ID')
    .option('-n, --lines <lines>', 'lines of history to show first, as `nomad alloc logs -n`; 0 for the whole log', lineCount, 100)
    // -n is the line count here, as in `nomad alloc logs` and `kamal app logs`; the namespace is spelt out.
    .option(NAMESPACE_OPTION[0].replace('-n, ', ''), NAMESPACE_OPTION[1])
    .action(async (arg: string | undefined, opts: { follow?: boolean; tail?: boolean; stderr?: boolean; task?: string; alloc?: string; lines: number; namespace?: string }) => {
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
          { job, namespace, type: opts.stderr ? 'stderr' : 'stdout', task: opts.task, alloc: opts.alloc, tail: opts.lines, follow: Boolean(opts.follow || opts.tail) },
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
