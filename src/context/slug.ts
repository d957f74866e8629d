import type { Slug } from '../domain.js';

/**
 * Slugs the way GitLab makes CI_COMMIT_REF_SLUG: lower-case, every character outside a-z0-9
 * becomes -, cut to 63, no - at either end. `feature/New_Thing` → `feature-new-thing`.
 */
export function refSlug(name: string): Slug {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '-').slice(0, 63).replace(/^-+|-+$/g, '') as Slug;
}

/**
 * The project path slug of a GitHub repository (or any owner/name path): lower-case, / and .
 * become -, other characters outside a-z0-9- are dropped, cut to 63. `Example-Org/My.Site` →
 * `example-org-my-site`.
 */
export function pathSlug(path: string): Slug {
  return path.toLowerCase().replace(/[/.]/g, '-').replace(/[^a-z0-9-]/g, '').slice(0, 63) as Slug;
}

/**
 * The job ID: the project path slug, plus `-<branch>` unless the branch deploys like main; cut to
 * 63 characters with one trailing - removed (the contract's rule, kept for existing jobs).
 */
export function jobSlug(projectPathSlug: Slug, branch: Slug, withBranch: boolean): Slug {
  const full = withBranch ? `${projectPathSlug}-${branch}` : projectPathSlug;
  return full.slice(0, 63).replace(/-$/, '') as Slug;
}
