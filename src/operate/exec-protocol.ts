/**
 * A small protocol around commands run through Nomad's exec, because Nomad's docker driver
 * races the command: it asks Docker for the exec's state right after attaching, before Docker
 * has started it, and then reports exit code 0 and ends the session; and once the command has
 * exited it closes the session while output may still be on its way. So the command runs in a
 * shell that
 *   1. says it started (a marker on stderr): a session that ends before this never ran anything;
 *   2. without a terminal, waits for a "go" line before running the command, so that a command
 *      Docker starts after Nomad gave up finds stdin closed and exits without running — and a
 *      retry never runs anything twice;
 *   3. says the command's exit code (a marker on stderr) after all its output;
 *   4. stays a moment longer, so Nomad copies that output before it sees the exit.
 * Markers are framed by the ASCII record separator and never reach the user. Pure.
 */
const RS = '\x1e';
export const STARTED = `${RS}nom:started${RS}`;
const EXIT = new RegExp(`${RS}nom:exit:(\\d+)${RS}`);

/** The command wrapped in the protocol's shell. */
export function wrapCommand(command: readonly string[], o: { gate: boolean }): string[] {
  const script = [
    `printf '\\036nom:started\\036' >&2`,
    ...(o.gate ? ['IFS= read -r _ || exit 111'] : []),
    '"$@"',
    'rc=$?',
    `printf '\\036nom:exit:%d\\036' "$rc" >&2`,
    'sleep 0.2 2>/dev/null || sleep 1',
    'exit "$rc"',
  ].join('; ');
  return ['/bin/sh', '-c', script, 'nom-exec', ...command];
}

/** What the protocol's markers said, as a stream of output goes by. */
export interface MarkerEvents {
  started: boolean;
  exitCode: number | undefined;
}

/**
 * Takes the markers out of one output stream (stdout or stderr; with a terminal, both arrive
 * on stdout), holding back a partial marker until it is whole.
 */
export class MarkerFilter {
  private pending = '';

  constructor(private readonly events: MarkerEvents) {}

  /** The output without markers; `latin1` keeps any bytes as they are. */
  push(data: Buffer): Buffer {
    let text = this.pending + data.toString('latin1');
    this.pending = '';
    for (;;) {
      const at = text.indexOf(STARTED);
      if (at < 0) break;
      this.events.started = true;
      text = text.slice(0, at) + text.slice(at + STARTED.length);
    }
    for (;;) {
      const m = EXIT.exec(text);
      if (!m) break;
      this.events.exitCode = Number(m[1]);
      text = text.slice(0, m.index) + text.slice(m.index + m[0].length);
    }
    // A record separator near the end may begin a marker that is still arriving.
    const open = text.lastIndexOf(RS);
    if (open >= 0 && text.length - open < 24 && !text.slice(open + 1).includes(RS)) {
      this.pending = text.slice(open);
      text = text.slice(0, open);
    }
    return Buffer.from(text, 'latin1');
  }

  /** Whatever was held back, when the stream ends. */
  flush(): Buffer {
    const rest = Buffer.from(this.pending, 'latin1');
    this.pending = '';
    return rest;
  }
}
