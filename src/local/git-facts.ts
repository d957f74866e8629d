import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { GitFacts } from './local-git.js';
import { CommandError } from '../errors.js';

/**
 * Reads a checkout's remote, branch, commit and uncommitted changes with git (`dirty: false`
 * skips the changes, which a large tree makes slow, when only names are wanted).
 */
/** Whether `dir` is inside a git checkout. */
export function isGitCheckout(dir: string): boolean {
  try {
    execFileSync('git', ['-C', dir, 'rev-parse', '--show-toplevel'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function readGitFacts(dir: string, options: { dirty?: boolean } = {}): GitFacts {
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  let top: string;
  try {
    top = git('rev-parse', '--show-toplevel');
  } catch {
    throw new CommandError(`${resolve(dir)} is not in a git checkout: nom names jobs and images after the repository, branch and commit`);
  }
  const branch = git('rev-parse', '--abbrev-ref', 'HEAD');
  if (branch === 'HEAD') throw new CommandError('the checkout is on a detached HEAD: check out a branch (the job is named after it)');
  const remoteUrl = (() => {
    try {
      return git('remote', 'get-url', 'origin') || undefined;
    } catch {
      return undefined;
    }
  })();
  let dirtyHash: string | undefined;
  if (options.dirty !== false) {
    const diff = git('diff', 'HEAD', '--binary');
    const untracked = git('ls-files', '--others', '--exclude-standard');
    dirtyHash = diff || untracked ? createHash('sha256').update(diff).update(untracked).digest('hex').slice(0, 8) : undefined;
  }
  const subdir = relative(top, resolve(dir)).split('\\').join('/');
  return { remoteUrl, dirName: basename(top), subdir, branch, commit: git('rev-parse', 'HEAD'), dirtyHash };
}

/**
 * The directory `nom deploy` would deploy for work in `cwd`: the nearest one up to the
 * checkout's top that has a Dockerfile (a monorepo's app), else the top.
 */
export function appDirOf(cwd: string): string {
  let top: string;
  try {
    top = execFileSync('git', ['-C', cwd, 'rev-parse', '--show-toplevel'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return cwd; // readGitFacts says what is wrong
  }
  for (let dir = resolve(cwd); dir.startsWith(top); dir = dirname(dir)) {
    if (existsSync(join(dir, 'Dockerfile'))) return dir;
    if (dir === top) break;
  }
  return top;
}
