/**
 * The local agent's plugin helpers, and a process that takes a chosen PID: how a test stands in
 * for whatever program the kernel gives a dead helper's PID to next (see
 * src/cluster/agent-helpers.ts).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { recordedSessions } from '../../src/cluster/agent-helpers.js';
import type { LocalLayout } from '../../src/cluster/local-layout.js';
import { sessionMembers } from '../../src/cluster/processes.js';

/** The PIDs of the logmon and docker_logger processes in the sessions `nom up` recorded. */
export function nomadHelpers(layout: LocalLayout): number[] {
  const subcommand = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[1];
    } catch {
      return undefined; // ended meanwhile
    }
  };
  return recordedSessions(layout).flatMap(sessionMembers).filter((pid) => ['logmon', 'docker_logger'].includes(subcommand(pid) ?? ''));
}

/**
 * Starts `sleep` with PID `pid` (the kernel hands out ns_last_pid + 1 next; root only), once the
 * process that had it is gone and reaped (within 10s); undefined when another process took it.
 */
export async function bystanderAt(pid: number): Promise<ChildProcess | undefined> {
  for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  for (let attempt = 0; attempt < 10 && !existsSync(`/proc/${pid}`); attempt++) {
    writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1));
    const child = spawn('sleep', ['600'], { stdio: 'ignore' });
    if (child.pid === pid) return child;
    child.kill('SIGKILL'); // another process took it first: again, while it is free
  }
  return undefined;
}

/**
 * Puts a process at each of `pids` that it can take (at least one), runs `during`, then checks
 * that none of those processes was killed meanwhile.
 */
export async function withBystanders(pids: readonly number[], during: () => Promise<void>): Promise<void> {
  const bystanders: ChildProcess[] = [];
  for (const pid of pids) bystanders.push(...[await bystanderAt(pid)].filter((b) => b !== undefined));
  assert.ok(bystanders.length > 0, `none of the helpers' PIDs (${pids.join(' ')}) could be taken again`);
  try {
    await during();
    for (const b of bystanders) assert.equal(b.exitCode ?? b.signalCode, null, `the process given PID ${b.pid} ended: ${b.signalCode}`);
  } finally {
    for (const b of bystanders) b.kill('SIGKILL');
  }
}
