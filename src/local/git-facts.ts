import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { basename, relative, resolve } from 'node:path';
import type { GitFacts } from '../context/local-git.js';

/** Reads a checkout's remote, branch, commit and uncommitted changes with git. */
export function readGitFacts(dir: string): GitFacts {
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  let top: string;
  try {
    top = git('rev-parse', '--show-toplevel');
  } catch {
    throw new Error(`${resolve(dir)} is not in a git checkout: nom deploy names the job and image after the repository, branch and commit`);
  }
  const branch = git('rev-parse', '--abbrev-ref', 'HEAD');
  if (branch === 'HEAD') throw new Error('the checkout is on a detached HEAD: check out a branch to deploy it');
  const remoteUrl = (() => {
    try {
      return git('remote', 'get-url', 'origin') || undefined;
    } catch {
      return undefined;
    }
  })();
  const diff = git('diff', 'HEAD', '--binary');
  const untracked = git('ls-files', '--others', '--exclude-standard');
  const dirtyHash = diff || untracked ? createHash('sha256').update(diff).update(untracked).digest('hex').slice(0, 8) : undefined;
  const subdir = relative(top, resolve(dir)).split('\\').join('/');
  return { remoteUrl, dirName: basename(top), subdir, branch, commit: git('rev-parse', 'HEAD'), dirtyHash };
}
