import type { Readable } from 'node:stream';
import type WebSocket from 'ws';
import { CommandError } from '../errors.js';
import type { NomadClient } from '../nomad/client.js';
import { MarkerFilter, wrapCommand, type MarkerEvents } from './exec-protocol.js';

/** What an exec session is connected to on this side. */
export interface ExecIo {
  /** Sent to the command's stdin; its end closes the command's stdin. None: stdin stays open. */
  readonly input?: Readable | undefined;
  readonly stdout: (data: Buffer) => void;
  readonly stderr: (data: Buffer) => void;
  /** A terminal: its size now, and a way to hear when it changes. */
  readonly tty?: { readonly size: () => { columns: number; rows: number }; readonly onResize: (listener: () => void) => () => void } | undefined;
}

/** Nomad's exec frames, both ways. */
type Frame =
  | { stdout?: { data?: string; close?: boolean }; stderr?: { data?: string; close?: boolean }; exited?: boolean; result?: { exit_code?: number } };

const HEARTBEAT_MS = 10_000;
/** Input is sent in pieces of this size, each waiting for the previous one to be written. */
const CHUNK = 32 * 1024;

/** How a session ended: the command's exit code, and whether the command started at all. */
export interface ExecResult {
  readonly code: number;
  readonly started: boolean;
}

/**
 * Runs an exec session over Nomad's websocket for a command wrapped by `wrapCommand`: input →
 * stdin frames (base64, so any bytes pass), stdout and stderr frames → `io` without the
 * protocol's markers, terminal size changes → tty_size frames, a heartbeat every 10 s. With
 * `gate`, input starts (after a "go" line) only once the command says it started. Resolves
 * with the exit code the command reported (Nomad's when it could not), and whether it started.
 */
export function runExec(ws: WebSocket, io: ExecIo, what: string, o: { gate: boolean }): Promise<ExecResult> {
  const events: MarkerEvents = { started: false, exitCode: undefined };
  const out = new MarkerFilter(events);
  const err = new MarkerFilter(events);
  let onStarted = () => {};
  return new Promise((resolve, reject) => {
    let done = false;
    const cleanups: (() => void)[] = [];
    const finish = (result: { code: number } | { error: Error }) => {
      if (done) return;
      done = true;
      for (const c of cleanups) c();
      ws.close();
      io.stdout(out.flush());
      io.stderr(err.flush());
      if ('code' in result) resolve({ code: events.exitCode ?? result.code, started: events.started });
      else reject(result.error);
    };
    const send = (frame: object, then?: () => void) => ws.send(JSON.stringify(frame), then && ((e) => (e ? finish({ error: e }) : then())));

    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => {
        const said = body.trim().slice(0, 300);
        const why = res.statusCode === 403 ? `${said || 'Permission denied'} — the token lacks the alloc-exec capability` : `${res.statusCode}${said ? `: ${said}` : ''}`;
        finish({ error: new CommandError(`${what}: Nomad refused the exec session (${why})`) });
      });
    });
    ws.on('error', (e: NodeJS.ErrnoException) => finish({ error: new CommandError(`${what}: cannot reach Nomad for the exec session (${e.code ?? e.message})`) }));
    // Nomad may close the session without its exit frame; the wrapper's exit report then says how it ended.
    ws.on('close', () => finish(events.exitCode !== undefined ? { code: events.exitCode } : { error: new CommandError(`${what}: the exec session closed before the command ended`) }));
    ws.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as Frame;
      const started = events.started;
      if (frame.stdout?.data) io.stdout(out.push(Buffer.from(frame.stdout.data, 'base64')));
      if (frame.stderr?.data) io.stderr(err.push(Buffer.from(frame.stderr.data, 'base64')));
      if (!started && events.started) onStarted();
      if (frame.exited) finish({ code: frame.result?.exit_code ?? 0 });
    });
    ws.on('open', () => {
      const heartbeat = setInterval(() => send({}), HEARTBEAT_MS);
      cleanups.push(() => clearInterval(heartbeat));
      if (io.tty) {
        const resize = () => {
          const { columns, rows } = io.tty!.size();
          send({ tty_size: { width: columns, height: rows } });
        };
        resize();
        cleanups.push(io.tty.onResize(resize));
      }
      const input = io.input;
      if (!input) return;
      const pipe = () => {
        const onData = (chunk: Buffer) => {
          // One piece in flight at a time: a large file never piles up in memory.
          input.pause();
          const pieces: Buffer[] = [];
          for (let at = 0; at < chunk.length; at += CHUNK) pieces.push(chunk.subarray(at, at + CHUNK));
          const next = () => {
            const piece = pieces.shift();
            if (!piece) return void (done || input.resume());
            send({ stdin: { data: piece.toString('base64') } }, next);
          };
          next();
        };
        const onEnd = () => send({ stdin: { close: true } });
        input.on('data', onData).once('end', onEnd);
        cleanups.push(() => input.off('data', onData).off('end', onEnd));
        input.resume();
      };
      if (!o.gate) return pipe();
      // The command runs once it reads "go": only then does the user's input follow.
      onStarted = () => send({ stdin: { data: Buffer.from('go\n').toString('base64') } }, pipe);
      if (events.started) onStarted();
    });
  });
}

/** Where an exec runs. */
export interface ExecTarget {
  readonly allocId: string;
  readonly task: string;
  readonly namespace: string;
  /** How to name it in messages: job/alloc/task. */
  readonly what: string;
}

const ATTEMPTS = 3;

/**
 * Runs `command` in a task through the protocol of exec-protocol.ts, again when Nomad ended the
 * session before the command started (nothing ran; up to 3 tries). An image without /bin/sh
 * cannot run the protocol: the command then runs bare, with a warning. Resolves with its exit code.
 */
export async function execInTask(
  nomad: NomadClient,
  target: ExecTarget,
  command: readonly string[],
  io: Omit<ExecIo, 'input'> & { readonly input?: (() => Readable) | undefined; readonly warn: (line: string) => void },
): Promise<number> {
  const tty = Boolean(io.tty);
  const session = (argv: readonly string[], gate: boolean) =>
    runExec(nomad.allocations.exec(target.allocId, { task: target.task, command: argv, tty, namespace: target.namespace }), { ...io, input: io.input?.() }, target.what, { gate });
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const result = await session(wrapCommand(command, { gate: !tty }), !tty);
    if (result.started) return result.code;
    if (result.code === 126 || result.code === 127) {
      io.warn(`${target.what} has no /bin/sh: running the command without nom's guard against Nomad's exec race (its exit code may read 0 and its output may be cut)`);
      return (await session(command, false)).code;
    }
  }
  throw new CommandError(`${target.what}: Nomad ended the exec session before the command started, ${ATTEMPTS} times in a row; nothing ran`);
}
