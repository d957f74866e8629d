import { execFileSync } from 'node:child_process';
import { createReadStream, realpathSync, statSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { Command } from 'commander';
import { CommandError, InputError } from '../errors.js';
import { execInTask } from '../operate/exec-session.js';
import { runningAllocations, taskOf } from '../operate/pick-allocation.js';
import { openJob } from './cluster-access.js';
import { NAMESPACE_OPTION } from './arguments.js';
import type { Output } from './output.js';

/** bash when the image has it, else sh. */
const SHELL = ['/bin/sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi'];

/**
 * Writes stdin to "$1" through a temporary file renamed into place (a watching server never
 * sees half a file), creating directories, and fails unless "$2" bytes arrived.
 */
const RECEIVE = [
  '/bin/sh', '-c',
  'set -e; case "$1" in */*) mkdir -p -- "${1%/*}";; esac; t="$1.nom-cp.$$"; cat > "$t"; n=$(wc -c < "$t"); ' +
    'if [ "$n" -ne "$2" ]; then rm -f -- "$t"; echo "received $n bytes of $2" >&2; exit 3; fi; mv -f -- "$t" "$1"',
  'nom-cp',
];

interface ExecOptions {
  /** -t: ask for a terminal even when this one is not (as `nomad alloc exec -t`); -T: never. */
  tty?: boolean;
  task?: string;
  alloc?: string;
  namespace?: string;
}

export function registerExec(program: Command, out: Output): void {
  program
    .command('ssh [job] [command...]')
    .description('a shell (bash, else sh) in a running task, or `-- command…` run there; on a terminal with a real TTY. Exits with the command\'s code.')
    .option('--task <task>', 'the task (default: the main task)')
    .option('--alloc <alloc>', 'the allocation: its index (0 for web[0]) or a prefix of its ID (default: the newest)')
    .option('-i, --interactive', 'pass stdin to the command (always on; accepted as `nomad alloc exec -i` and `docker exec -i` take it)')
    .option('-t, --tty', 'give the command a terminal (default: when stdin and stdout are one)')
    .option('-T, --no-tty', 'never give the command a terminal')
    .option(...NAMESPACE_OPTION)
    .action(async (jobArg: string | undefined, rest: string[], opts: ExecOptions) => {
      const { nomad, namespace, job } = await openJob(sshJob(jobArg, rest), opts);
      const command = commandAfterDashes();
      const terminal = opts.tty ?? Boolean(process.stdin.isTTY && process.stdout.isTTY);
      const raw = terminal && Boolean(process.stdin.isTTY);
      try {
        // The newest running allocation, unless --alloc names one.
        const [alloc] = runningAllocations(await nomad.jobs.allocations(job.ID, { namespace }), job.ID, opts.alloc);
        const task = taskOf(job, alloc!, opts.task);
        if (raw) process.stdin.setRawMode(true);
        process.exitCode = await execInTask(nomad, { allocId: alloc!.ID, task, namespace, what: `${job.ID}/${alloc!.ID.slice(0, 8)}/${task}` }, command.length ? command : SHELL, {
          input: () => process.stdin,
          stdout: (d) => process.stdout.write(d),
          stderr: (d) => process.stderr.write(d),
          warn: (line) => out.warn(line),
          tty: terminal
            ? {
                size: () => ({ columns: process.stdout.columns || 80, rows: process.stdout.rows || 24 }),
                onResize: (listener) => (process.stdout.on('resize', listener), () => process.stdout.off('resize', listener)),
              }
            : undefined,
        });
      } finally {
        if (raw) process.stdin.setRawMode(false);
        process.stdin.pause();
        nomad.close();
      }
    });

  program
    .command('cp <file> [job]')
    .description('copy a local file into the task of every running allocation (or --alloc), at its path relative to the repository root (or --to); any bytes, size checked')
    .option('--to <path>', 'where it goes in the container (default: its path in the repository, relative to the container\'s working directory)')
    .option('--task <task>', 'the task (default: the main task)')
    .option('--alloc <alloc>', 'one allocation: its index (0 for web[0]) or a prefix of its ID')
    .option(...NAMESPACE_OPTION)
    .action(async (file: string, jobArg: string | undefined, opts: ExecOptions & { to?: string }) => {
      let size: number;
      try {
        const stat = statSync(file);
        if (!stat.isFile()) throw InputError.of(`${file} is not a file: nom cp copies one file`);
        size = stat.size;
      } catch (e) {
        if (e instanceof InputError) throw e;
        throw InputError.of(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      const to = opts.to ?? repositoryPath(file);
      const { nomad, namespace, job } = await openJob(jobArg, opts);
      try {
        const allocs = runningAllocations(await nomad.jobs.allocations(job.ID, { namespace }), job.ID, opts.alloc);
        for (const alloc of allocs) {
          const task = taskOf(job, alloc, opts.task);
          const where = `${job.ID}/${alloc.ID.slice(0, 8)}/${task}`;
          let stderr = '';
          const code = await execInTask(nomad, { allocId: alloc.ID, task, namespace, what: where }, [...RECEIVE, to, String(size)], {
            input: () => createReadStream(file),
            stdout: () => {},
            stderr: (d) => (stderr += d.toString('utf8')),
            warn: (line) => out.warn(line),
          });
          if (code !== 0) throw new CommandError(`copying ${file} to ${where}:${to} failed (exit ${code}): ${stderr.trim().split('\n').pop() || 'no message'}`);
          out.say(`copied ${file} (${size} bytes) to ${where}:${to}`);
        }
      } finally {
        nomad.close();
      }
    });
}

/** What follows `--` on the command line: the command for `nom ssh`. */
function commandAfterDashes(): string[] {
  const dash = process.argv.indexOf('--');
  return dash >= 0 ? process.argv.slice(dash + 1) : [];
}

/** The job of `nom ssh [job] [-- command…]`: the operand before `--`, if there is one. */
function sshJob(jobArg: string | undefined, rest: readonly string[]): string | undefined {
  const command = commandAfterDashes();
  const operands = [jobArg, ...rest].filter((x): x is string => x !== undefined);
  const before = operands.slice(0, operands.length - command.length);
  if (before.length > 1) throw InputError.of(`nom ssh takes one job, then -- and the command to run: got ${before.join(' ')} (put -- before the command)`);
  return before[0];
}

/** A file's path relative to the root of its git checkout, as nom cp places it by default. */
function repositoryPath(file: string): string {
  const real = realpathSync(file);
  let top: string;
  try {
    top = execFileSync('git', ['-C', dirname(real), 'rev-parse', '--show-toplevel'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    throw InputError.of(`${file} is not in a git checkout: say where it goes with --to <path in the container>`);
  }
  return relative(realpathSync(top), real);
}
