/**
 * What the integration tests need to run nom as a pipeline does: a GitLab pipeline's variables
 * for a project and branch, `nom` as a process, and a look inside a running container.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NomadClient } from '../../src/nomad/client.js';

const NOM = fileURLToPath(new URL('../../bin/nom', import.meta.url));

/**
 * A GitLab pipeline's environment for `project` on `branch`, deploying image tag `tag` (the
 * image built for main, tagged for that branch as its build stage would have pushed it).
 */
export function pipeline(tag: string, extra: Record<string, string> = {}, branch = 'main', project = 'nom-it'): Record<string, string> {
  if (branch !== 'main') execFileSync('docker', ['tag', `nom.local/examples/hello-world/main:${tag}`, `nom.local/examples/hello-world/${branch}:${tag}`]);
  return {
    PATH: process.env.PATH!,
    NOMAD_ADDR: process.env.NOMAD_ADDR!,
    NOMAD_TOKEN: process.env.NOMAD_TOKEN!,
    GITLAB_CI: 'true',
    CI_PROJECT_PATH_SLUG: project,
    CI_PROJECT_NAME: project,
    CI_COMMIT_REF_SLUG: branch,
    CI_COMMIT_SHA: tag,
    // the image is CI_REGISTRY_IMAGE/<branch>:<tag>: all branches use the one built image
    CI_REGISTRY_IMAGE: 'nom.local/examples/hello-world',
    BASE_DOMAIN: 'nom.localhost',
    NOMAD_VAR_CHECK_PATH: '/healthcheck',
    ...extra,
  };
}

export interface Run {
  code: number | null;
  out: string;
  seconds: number;
  /** The working directory it ran in (CI outputs land there). */
  cwd: string;
}

/**
 * Runs nom with exactly `env`, in `dir`; without one, in a temporary directory that is removed
 * when nom ends (pass a directory to read what nom wrote there, such as deploy.env).
 */
export function nom(args: string[], env: Record<string, string>, dir?: string): Promise<Run> {
  const began = Date.now();
  const cwd = dir ?? mkdtempSync(join(tmpdir(), 'nom-ci-'));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [NOM, ...args], { env, cwd });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('exit', (code) => {
      if (!dir) rmSync(cwd, { recursive: true, force: true });
      resolve({ code, out, seconds: (Date.now() - began) / 1000, cwd });
    });
  });
}

/** The first instance a deploy printed: `instance http://127.0.0.1:port`. */
export const instance = (out: string) => /instance (http:\/\/\S+)/.exec(out)?.[1] ?? assert.fail(`no instance in:\n${out}`);

/** The value of an environment variable inside the job's running container of `version`. */
export async function containerEnv(nomad: NomadClient, job: string, version: number, name: string, namespace = 'default'): Promise<string> {
  const alloc = (await nomad.jobs.allocations(job, { namespace })).find((a) => a.ClientStatus === 'running' && a.JobVersion === version);
  assert.ok(alloc, `no running allocation of ${job} version ${version}`);
  const id = execFileSync('docker', ['ps', '-q', '--filter', `label=com.hashicorp.nomad.alloc_id=${alloc.ID}`], { encoding: 'utf8' }).trim();
  return execFileSync('docker', ['exec', id, 'node', '-e', `process.stdout.write(process.env.${name} ?? '')`], { encoding: 'utf8' });
}
