import type { Slug } from '../domain.js';
import { isMainLike } from '../naming/deploy-target.js';
import { jobSlug, pathSlug, refSlug } from '../context/slug.js';

/** What a local checkout says about itself (read by src/local/git-facts.ts). */
export interface GitFacts {
  /** The `origin` remote's URL, if any. */
  readonly remoteUrl: string | undefined;
  /** The checkout directory's name, for a project without a remote. */
  readonly dirName: string;
  /** The deployed directory relative to the checkout's top ('' at the top): a monorepo's app. */
  readonly subdir: string;
  readonly branch: string;
  readonly commit: string;
  /** A short hash of uncommitted changes; undefined when the tree is clean. */
  readonly dirtyHash: string | undefined;
}

/** `git@gitlab.com:group/sub/proj.git`, `https://github.com/Org/Repo`, `ssh://git@host:22/g/p.git` → host and path. */
export function parseRemote(url: string): { host: string; path: string } | undefined {
  const scp = /^[\w.-]+@([\w.-]+):(?!\/)(.+?)(?:\.git)?\/?$/.exec(url);
  if (scp) return { host: scp[1]!, path: scp[2]! };
  try {
    const u = new URL(url);
    const path = u.pathname.replace(/^\/+/, '').replace(/\.git\/?$|\/$/, '');
    return path ? { host: u.hostname, path } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The project path slug CI would give this checkout: GitHub's rule for github.com remotes,
 * GitLab's (lower-case, every other character to -) otherwise, or the directory name; an app
 * in a subdirectory adds its path (`nom/examples/hello-world` → `nom-examples-hello-world`).
 */
export function localProjectPathSlug(facts: Pick<GitFacts, 'remoteUrl' | 'dirName' | 'subdir'>): { slug: string; name: string; path: string } {
  const remote = facts.remoteUrl ? parseRemote(facts.remoteUrl) : undefined;
  const path = [remote?.path ?? facts.dirName, facts.subdir].filter(Boolean).join('/');
  const slug = remote?.host === 'github.com' ? pathSlug(path) : refSlug(path);
  return { slug, name: path.split('/').pop()!, path: path.toLowerCase() };
}

/**
 * The job `nom deploy` gives this checkout's branch: the project path slug, plus `-<branch>`
 * unless the branch is main-like (or `mainStyle`, CI_MAIN_STYLE), cut to 63.
 */
export function checkoutJobName(facts: Pick<GitFacts, 'remoteUrl' | 'dirName' | 'subdir' | 'branch'>, mainStyle: boolean): Slug {
  const branch = refSlug(facts.branch);
  return jobSlug(localProjectPathSlug(facts).slug as Slug, branch, !isMainLike(branch, mainStyle));
}
