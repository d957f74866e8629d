import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { readContext } from '../../../src/context/read-context.js';
import { InputError } from '../../../src/errors.js';
import { github, gitlab } from '../../helpers/env-fixtures.js';

const read = (env: Record<string, string | undefined>, buildDeploy = false) => readContext(env, { buildDeploy });

describe('the CI context', () => {
  it('GitLab: image is CI_REGISTRY_IMAGE/<branch slug>:<commit>', () => {
    const ctx = read(gitlab());
    assert.equal(ctx.provider, 'gitlab');
    assert.equal(ctx.image, 'registry.example.com/example-org/my-site/feature-x:0123456789abcdef0123456789abcdef01234567');
    assert.equal(ctx.imageTagReused, false);
  });

  it('GitLab with BUILD_DEPLOY deploys the <commit>-deploy image', () => {
    assert.match(read(gitlab(), true).image, /:0123456789abcdef0123456789abcdef01234567-deploy$/);
  });

  it('GitLab: every missing predefined variable is named', () => {
    assert.throws(
      () => read(gitlab({ CI_COMMIT_SHA: undefined, CI_REGISTRY_IMAGE: '' })),
      (e: InputError) => e.lines.length === 2 && /^CI_COMMIT_SHA is not set/.test(e.lines[0]!) && /^CI_REGISTRY_IMAGE is not set/.test(e.lines[1]!),
    );
  });

  it('GitLab: a malformed slug variable is refused by name', () => {
    assert.throws(() => read(gitlab({ CI_COMMIT_REF_SLUG: 'Feature/X' })), (e: InputError) => /^CI_COMMIT_REF_SLUG is "Feature\/X"/.test(e.message));
  });

  it('GitHub: path slug, project name, branch slug and a ghcr image tagged by commit (so a rollback runs the old image)', () => {
    const ctx = read(github({ GITHUB_REF_NAME: 'Feature_X' }));
    assert.equal(ctx.provider, 'github');
    assert.equal(ctx.projectPathSlug, 'example-org-my-site');
    assert.equal(ctx.projectName, 'my.site');
    assert.equal(ctx.branch, 'feature-x');
    assert.equal(ctx.image, 'ghcr.io/example-org/my.site:fedcba9876543210fedcba9876543210fedcba98');
    assert.equal(ctx.imageTagReused, false);
  });

  it('records where the commit and the run can be seen, and who started it, when the CI says (the console links them)', () => {
    const lab = read(gitlab({ CI_PROJECT_URL: 'https://gitlab.example.com/example-org/my-site', CI_JOB_URL: 'https://gitlab.example.com/example-org/my-site/-/jobs/42', GITLAB_USER_LOGIN: 'ada' }));
    assert.equal(lab.commitUrl, 'https://gitlab.example.com/example-org/my-site/-/commit/0123456789abcdef0123456789abcdef01234567');
    assert.equal(lab.runUrl, 'https://gitlab.example.com/example-org/my-site/-/jobs/42');
    assert.equal(lab.user, 'ada');
    assert.equal(read(gitlab({ CI_PROJECT_URL: undefined })).commitUrl, undefined);
    const hub = read(github({ GITHUB_ACTOR: 'grace', GITHUB_RUN_ID: '7' }));
    assert.equal(hub.commitUrl, 'https://github.com/Example-Org/My.Site/commit/fedcba9876543210fedcba9876543210fedcba98');
    assert.equal(hub.user, 'grace');
  });

  it('GitHub: CI_GITHUB_IMAGE overrides the image', () => {
    assert.equal(read(github({ CI_GITHUB_IMAGE: 'ghcr.io/other/image:v1' })).image, 'ghcr.io/other/image:v1');
  });

  it('secrets come from NOMAD_SECRET_* and the NOMAD_SECRETS map; the variable wins', () => {
    const ctx = read(github({ NOMAD_SECRETS: '{"DB_URL": "postgres://a", "API_KEY": "from-map"}', NOMAD_SECRET_API_KEY: 'from-var' }));
    assert.deepEqual([...ctx.secrets.keys()], ['API_KEY', 'DB_URL']);
    assert.equal(ctx.secrets.get('API_KEY')!.reveal(), 'from-var');
  });

  it('a secret never shows when printed, interpolated, logged or serialised', () => {
    const ctx = read(gitlab({ NOMAD_SECRET_DB_PASSWORD: 'hunter2' }));
    const secret = ctx.secrets.get('DB_PASSWORD')!;
    for (const shown of [String(secret), `${secret}`, JSON.stringify({ secret }), inspect(secret), inspect(ctx)]) {
      assert.doesNotMatch(shown, /hunter2/);
    }
  });

  it('a malformed NOMAD_SECRETS is refused without showing its value', () => {
    assert.throws(
      () => read(github({ NOMAD_SECRETS: '{"DB": hunter2}' })),
      (e: InputError) => /^NOMAD_SECRETS is not a JSON object/.test(e.message) && !e.message.includes('hunter2'),
    );
  });

  it('a secret name that is no environment variable name is refused by name, not value', () => {
    assert.throws(
      () => read(github({ NOMAD_SECRETS: '{"MY-KEY": "hunter2"}' })),
      (e: InputError) => e.message.includes('"MY-KEY" is not a valid environment variable name') && !e.message.includes('hunter2'),
    );
  });

  it('registry login prefers CI_REGISTRY_READ_TOKEN as deploy-token', () => {
    const ctx = read(gitlab({ CI_REGISTRY_READ_TOKEN: 'rt', CI_REGISTRY_USER: 'gitlab-ci-token', CI_REGISTRY_PASSWORD: 'jt' }));
    assert.equal(ctx.registryAuth?.username, 'deploy-token');
    assert.equal(ctx.registryAuth?.password.reveal(), 'rt');
  });

  it('registry login falls back to CI_REGISTRY_USER and CI_REGISTRY_PASSWORD', () => {
    const ctx = read(gitlab({ CI_REGISTRY_USER: 'gitlab-ci-token', CI_REGISTRY_PASSWORD: 'jt' }));
    assert.equal(ctx.registryAuth?.username, 'gitlab-ci-token');
    assert.equal(ctx.registryAuth?.from, 'CI_REGISTRY_PASSWORD');
  });

  it('no registry login without a password, or with a read token of 0', () => {
    assert.equal(read(gitlab({ CI_REGISTRY_READ_TOKEN: '0' })).registryAuth, undefined);
  });

  it('GitHub: a public repository (PRIVATE_REPO=false) logs in with no read token', () => {
    assert.equal(read(github({ PRIVATE_REPO: 'false', CI_REGISTRY_READ_TOKEN: 'rt' })).registryAuth, undefined);
  });

  it('refuses a NOMAD_ADDR with credentials, and never prints them', () => {
    assert.throws(() => read(gitlab({ NOMAD_ADDR: 'https://user:s3cret@nomad.example.com:4646' })), (e: Error) => /NOMAD_ADDR is "https:\/\/\*\*\*@nomad\.example\.com:4646": it carries credentials/.test(e.message) && !e.message.includes('s3cret'));
  });
});
