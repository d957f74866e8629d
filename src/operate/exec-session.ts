import type { Readable } from 'node:stream';
import type WebSocket from 'ws';
import { CommandError } from '../errors.js';

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

/**
 * Runs an exec session over Nomad's websocket: input → stdin frames (base64, so any bytes
 * pass), stdout and stderr frames → `io`, terminal size changes → tty_size frames, a heartbeat
 * every 10 s. Resolves with the command's exit code.
 */
export function runExec(ws: WebSocket, io: ExecIo, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let done = false;
    const cleanups: (() => void)[] = [];
    const finish = (result: { code: number } | { error: Error }) => {
      if (done) return;
      done = true;
      for (const c of cleanups) c();
      ws.close();
      if ('code' in result) resolve(result.code);
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
    ws.on('close', () => finish({ error: new CommandError(`${what}: the exec session closed before the command ended`) }));
    ws.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as Frame;
      if (frame.stdout?.data) io.stdout(Buffer.from(frame.stdout.data, 'base64'));
      if (frame.stderr?.data) io.stderr(Buffer.from(frame.stderr.data, 'base64'));
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
    });
  });
}
