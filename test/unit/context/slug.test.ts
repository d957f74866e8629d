import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Slug } from '../../../src/domain.js';
import { jobSlug, pathSlug, refSlug } from '../../../src/context/slug.js';

describe('slugs', () => {
  it('slugs a GitHub branch the way GitLab makes CI_COMMIT_REF_SLUG', () => {
    assert.equal(refSlug('feature/New_Thing'), 'feature-new-thing');
    assert.equal(refSlug('-Release/2.0-'), 'release-2-0');
    assert.equal(refSlug('fix//double'), 'fix--double');
  });

  it('cuts a branch slug to 63 characters before trimming dashes', () => {
    const slug = refSlug(`${'a'.repeat(62)}/b`);
    assert.equal(slug, 'a'.repeat(62));
  });

  it('slugs a GitHub repository path: lower-case, / and . to -, others dropped', () => {
    assert.equal(pathSlug('Example-Org/My.Site'), 'example-org-my-site');
    assert.equal(pathSlug('org/my_repo+x'), 'org-myrepox');
    assert.equal(pathSlug(`org/${'r'.repeat(80)}`).length, 63);
  });

  it('adds the branch to the job slug unless the branch deploys like main', () => {
    assert.equal(jobSlug('example-org-my-site' as Slug, 'feature-x' as Slug, true), 'example-org-my-site-feature-x');
    assert.equal(jobSlug('example-org-my-site' as Slug, 'main' as Slug, false), 'example-org-my-site');
  });

  it('cuts the job slug to 63 characters and removes one trailing dash', () => {
    const project = 'p'.repeat(50) as Slug;
    // 50 + "-" + "abcdefghijk-" = 63 characters, the last a dash
    assert.equal(jobSlug(project, 'abcdefghijk-xyz' as Slug, true), `${project}-abcdefghijk`);
    assert.equal(jobSlug(project, 'abcdefghijkl' as Slug, true), `${project}-abcdefghijkl`);
    assert.equal(jobSlug(project, 'abcdefghijkl' as Slug, true).length, 63);
  });
});
