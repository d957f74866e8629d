import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CommandError } from '../errors.js';

/** Runs a command with its output on our stderr; rejects with the command and exit code. */
function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 2, 2] });
    child.on('error', (e) => reject(new Error(`cannot run ${command}: ${e.message}`)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`\`${command} ${args.join(' ')}\` failed with exit code ${code}`))));
  });
}

/** `docker build -f <dockerfile> -t <image> [--build-arg …] <dir>` with the local engine. */
export async function buildImage(dir: string, build: { image: string; dockerfile: string }, buildArgs: readonly string[]): Promise<void> {
  const file = join(dir, build.dockerfile);
  if (!existsSync(file)) throw new CommandError(`${dir} has no ${build.dockerfile}: nom deploy builds the image ${build.image} from it`);
  await run('docker', ['build', '-f', file, '-t', build.image, ...buildArgs.flatMap((a) => ['--build-arg', a]), dir]);
}

export async function pushImage(image: string): Promise<void> {
  await run('docker', ['push', image]);
}
