import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { connect } from 'node:net';

/**
 * Starts a daemon in its own session, detached from us, output appended to a log file. Its
 * helpers (Nomad's logmon and docker_logger) stay in that session, so the whole family can be
 * found and stopped later by the session ID, which is the daemon's PID.
 */
export function spawnDaemon(command: string, args: readonly string[], logFile: string, env: Readonly<Record<string, string | undefined>>): number {
  const log = openSync(logFile, 'a');
  try {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', log, log], env });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    const pid = child.pid;
    child.once('exit', (code, signal) => ended.set(pid, signal ? `killed by ${signal}` : `exit status ${code}`));
    child.unref();
    return pid;
  } finally {
    closeSync(log);
  }
}

/** How the daemons this process started ended: only a parent learns a child's exit status. */
const ended = new Map<number, string>();

/** "killed by SIGKILL", "exit status 1": how a daemon this process started ended, if it has. */
export function howEnded(pid: number): string | undefined {
  return ended.get(pid);
}

/**
 * Whether `pid` is alive (not a zombie) and runs `binary`: a PID file can outlive its process,
 * and PIDs are reused.
 */
export function isRunning(pid: number, binary?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    if (!binary) return true;
    const exe = executableOf(pid);
    return exe === undefined || exe === realpathSync(binary);
  } catch {
    return true; // no /proc: trust the signal check
  }
}

/**
 * Whether `pid` is still the process nom recorded: it runs, and its command line holds `mark`
 * (the configuration file only that daemon is started with). PIDs wrap quickly on a busy machine
 * (pid_max is often 32768), so a pid file of a daemon that died may name someone else's process
 * by now, and nom must never signal that one.
 */
export function runsWith(pid: number, mark: string): boolean {
  if (!isRunning(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((arg) => arg.includes(mark));
  } catch {
    return false;
  }
}

/** The executable of a process, when it can be read. */
export function executableOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
  } catch {
    return undefined;
  }
}

/**
 * The PIDs of every live process in a session (the daemon and what it started). Zombies are
 * left out: they have ended, and only wait for a parent (often an init that never reaps) to
 * collect them.
 */
export function sessionMembers(sid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the ")" of the command name: state ppid pgrp session …
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[3]) === sid && fields[0] !== 'Z') members.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return members;
}

/** Sends a signal to every process of a session; returns how many were signalled. */
export function signalSession(sid: number, signal: NodeJS.Signals, only: (pid: number) => boolean = () => true): number {
  let count = 0;
  for (const pid of sessionMembers(sid).filter(only)) {
    try {
      process.kill(pid, signal);
      count++;
    } catch {
      // already gone
    }
  }
  return count;
}

export function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` until it returns a value (not undefined) or the time is up; then throws an
 * error made by `onTimeout`, which can say what was last seen.
 */
export async function waitFor<T>(check: () => Promise<T | undefined>, o: { timeoutMs: number; intervalMs?: number; onTimeout: () => Error }): Promise<T> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw o.onTimeout();
    await sleep(o.intervalMs ?? 250);
  }
}

/** Whether something accepts connections on a loopback port. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 1000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

/** The last lines of a daemon's log, for an error message. */
export function logTail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
