import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Runs a command with its output on our stderr; rejects with the command and exit code. */
function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 2, 2] });
    child.on('error', (e) => reject(new Error(`cannot run ${command}: ${e.message}`)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`\`${command} ${args.join(' ')}\` failed with exit code ${code}`))));
  });
}

/** `docker build -t <image> [--build-arg …] <dir>` with the local engine. */
export async function buildImage(dir: string, image: string, buildArgs: readonly string[]): Promise<void> {
  if (!existsSync(join(dir, 'Dockerfile'))) throw new Error(`${dir} has no Dockerfile: nom deploy builds the image from it`);
  await run('docker', ['build', '-t', image, ...buildArgs.flatMap((a) => ['--build-arg', a]), dir]);
}

export async function pushImage(image: string): Promise<void> {
  await run('docker', ['push', image]);
}
