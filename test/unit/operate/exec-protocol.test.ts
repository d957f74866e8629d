import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { MarkerFilter, STARTED, wrapCommand, type MarkerEvents } from '../../../src/operate/exec-protocol.js';

/** Runs a wrapped command with this machine's sh, as the container's sh would run it. */
function run(argv: string[], stdin: string | undefined): Promise<{ code: number | null; stdout: string; stderr: string; events: MarkerEvents }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1));
    const events: MarkerEvents = { started: false, exitCode: undefined };
    const out = new MarkerFilter(events);
    const err = new MarkerFilter(events);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += out.push(d).toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += err.push(d).toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, events }));
    if (stdin === undefined) child.stdin.end();
    else child.stdin.end(stdin);
  });
}

describe('the exec protocol', () => {
  it('says it started, runs the command after "go" with the rest of stdin, and says its exit code after its output', async () => {
    const r = await run(wrapCommand(['sh', '-c', 'cat; echo done >&2; exit 3'], { gate: true }), 'go\nthe input\n');
    assert.deepEqual([r.code, r.stdout, r.stderr, r.events], [3, 'the input\n', 'done\n', { started: true, exitCode: 3 }]);
  });

  it('a command started after the session is gone finds no "go", and never runs', async () => {
    const r = await run(wrapCommand(['sh', '-c', 'echo ran'], { gate: true }), undefined);
    assert.deepEqual([r.code, r.stdout, r.events], [111, '', { started: true, exitCode: undefined }]);
  });

  it('with a terminal there is no gate: the shell reads the keyboard itself', async () => {
    const r = await run(wrapCommand(['sh', '-c', 'read line; echo "got $line"'], { gate: false }), 'hi\n');
    assert.deepEqual([r.code, r.stdout, r.events], [0, 'got hi\n', { started: true, exitCode: 0 }]);
  });

  it('takes markers out of a stream even when they arrive in pieces, and keeps any other bytes', () => {
    const events: MarkerEvents = { started: false, exitCode: undefined };
    const f = new MarkerFilter(events);
    const binary = Buffer.from([0, 255, 0x1e, 7, 10]);
    const pieces = [Buffer.from(`a${STARTED.slice(0, 5)}`), Buffer.from(`${STARTED.slice(5)}b\x1enom:ex`), Buffer.from('it:42\x1e'), binary];
    const out = Buffer.concat([...pieces.map((p) => f.push(p)), f.flush()]);
    assert.deepEqual(out, Buffer.concat([Buffer.from('ab'), binary]));
    assert.deepEqual(events, { started: true, exitCode: 42 });
  });
});
