/**
 * The local agent's plugin helpers (logmon, docker_logger: processes of Nomad's own binary).
 *
 * Nomad's client records each helper's PID to reattach to it after a restart, and a restarted
 * agent SIGKILLs a recorded PID that it cannot reach (go-plugin's reattach). Once a helper has
 * ended, that PID is whatever program the kernel has given it to since: PIDs wrap at 32768 on
 * many machines, and a `nom down` then `nom up` once killed the test run that called them. So a
 * helper outlives an agent that restarts (Nomad reattaches to it), and `nom down` has Nomad stop
 * the allocations first (a drain), which ends their helpers and forgets them; it kills only what
 * is left of agents that died.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import type { LocalLayout } from './local-layout.js';
import { executableOf } from './processes.js';

/** The sessions of every daemon `nom up` started since the last `nom down` (their leaders' PIDs). */
export function recordedSessions(layout: LocalLayout): number[] {
  try {
    return readFileSync(layout.sessionsFile, 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Whether `pid` runs `nomadBinary`. A session ID whose daemon ended long ago may be another
 * program's session by now: only Nomad's own processes in it are ours.
 */
export function runsNomad(nomadBinary: string | undefined): (pid: number) => boolean {
  const real = nomadBinary && existsSync(nomadBinary) ? realpathSync(nomadBinary) : undefined;
  return (pid) => real !== undefined && executableOf(pid) === real;
}
