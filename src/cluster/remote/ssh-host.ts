import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { SshTarget } from './cluster-spec.js';

/** What a command on a host did. */
export interface RemoteResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A command that failed on a host: the host, what it was doing, and its stderr. */
export class RemoteError extends Error {
  override name = 'RemoteError';
  constructor(
    readonly host: string,
    readonly step: string,
    readonly result: RemoteResult,
  ) {
    const said = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-15).join('\n');
    super(`${host}: ${step} failed (exit ${result.code})${said ? `:\n${said}` : ''}`);
  }
}

const OUTPUT_LIMIT = 1024 * 1024;

/**
 * A host reached with the system `ssh`, so the user's ~/.ssh/config, agent and known hosts apply.
 * Scripts run as root: through `sudo -n` when the login is not root. The script travels
 * base64-encoded on the command line, so stdin stays free for a file's contents; it gets the
 * login's SSH_CONNECTION as $1 (sudo would clear it), from which a host learns its own address.
 */
export class SshHost {
  constructor(
    readonly target: SshTarget,
    private readonly ssh: readonly string[] = ['ssh'],
  ) {}

  get name(): string {
    return this.target.spec;
  }

  /** Runs `script` with sh as root on the host; `input` becomes its stdin. */
  run(script: string, input?: Buffer | Readable): Promise<RemoteResult> {
    const b64 = Buffer.from(script).toString('base64');
    const remote = `S=; [ "$(id -u)" = 0 ] || S="sudo -n"; exec $S sh -c "$(printf %s ${b64} | base64 -d)" nom "$SSH_CONNECTION"`;
    const t = this.target;
    const args = [
      ...this.ssh.slice(1),
      '-o', 'BatchMode=yes',
      '-o', 'ConnectTimeout=15',
      '-o', 'ServerAliveInterval=15',
      ...(t.port ? ['-p', String(t.port)] : []),
      ...(t.user ? ['-l', t.user] : []),
      t.host,
      remote,
    ];
    return new Promise((resolve, reject) => {
      const child = spawn(this.ssh[0]!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout = (stdout + c).slice(-OUTPUT_LIMIT)));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-OUTPUT_LIMIT)));
      child.on('error', (e) => reject(new Error(`cannot run ${this.ssh[0]} for ${this.name}: ${e.message}`)));
      child.on('close', (code) => resolve({ code: code ?? 255, stdout, stderr }));
      child.stdin.on('error', () => {}); // a command that does not read its input
      if (input === undefined) child.stdin.end();
      else if (Buffer.isBuffer(input)) child.stdin.end(input);
      else input.pipe(child.stdin);
    });
  }

  /** Runs a step's script and throws a RemoteError naming this host and the step when it fails. */
  async must(step: string, script: string, input?: Buffer | Readable): Promise<RemoteResult> {
    const result = await this.run(script, input);
    // 255 is ssh's own failure: the host could not be reached or logged into.
    if (result.code === 255 && !result.stdout) throw new RemoteError(this.name, `connecting with ssh (for: ${step})`, result);
    if (result.code !== 0) throw new RemoteError(this.name, step, result);
    return result;
  }
}
