import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readContext } from '../../../src/context/read-context.js';
import { InputError } from '../../../src/errors.js';
import { deployTarget } from '../../../src/naming/deploy-target.js';
import { readSettings } from '../../../src/settings/read-settings.js';
import { github, gitlab } from '../../helpers/env-fixtures.js';

function target(env: Record<string, string | undefined>) {
  return deployTarget(readContext(env, { buildDeploy: false }), readSettings(env).settings);
}

describe('where a deploy goes', () => {
  it('a review branch gets its own job and hostname under BASE_DOMAIN', () => {
    const t = target(gitlab({ CI_COMMIT_REF_SLUG: 'feature-x' }));
    assert.equal(t.kind, 'review');
    assert.equal(t.slug, 'example-org-my-site-feature-x');
    assert.deepEqual(t.hostnames, ['example-org-my-site-feature-x.dev.example.com']);
    assert.equal(t.nomadAddr, 'https://dev.example.com');
    assert.equal(t.count, 1);
    assert.equal(t.tokenVariable, 'NOMAD_TOKEN');
  });

  it('a review branch ignores custom hostnames, and says so', () => {
    const t = target(gitlab({ CI_COMMIT_REF_SLUG: 'feature-x', NOMAD_VAR_HOSTNAMES: '["www.example.com"]' }));
    assert.deepEqual(t.hostnames, ['example-org-my-site-feature-x.dev.example.com']);
    assert.match(t.warnings[0]!, /NOMAD_VAR_HOSTNAMES is ignored on review branch feature-x/);
  });

  for (const branch of ['main', 'master']) {
    it(`${branch} drops the branch from the slug and honours custom hostnames`, () => {
      const t = target(gitlab({ CI_COMMIT_REF_SLUG: branch, NOMAD_VAR_HOSTNAMES: '["www.example.com", "store"]' }));
      assert.equal(t.kind, 'main');
      assert.equal(t.slug, 'example-org-my-site');
      assert.deepEqual(t.hostnames, ['www.example.com', 'store.dev.example.com']);
      assert.equal(t.count, 1);
    });
  }

  it('main without custom hostnames is served at <slug>.<BASE_DOMAIN>', () => {
    assert.deepEqual(target(gitlab({ CI_COMMIT_REF_SLUG: 'main' })).hostnames, ['example-org-my-site.dev.example.com']);
  });

  it('CI_MAIN_STYLE makes any branch deploy like main', () => {
    const t = target(gitlab({ CI_COMMIT_REF_SLUG: 'feature-x', CI_MAIN_STYLE: '1', NOMAD_VAR_HOSTNAMES: '["www.example.com"]' }));
    assert.equal(t.kind, 'main');
    assert.equal(t.slug, 'example-org-my-site');
    assert.deepEqual(t.hostnames, ['www.example.com']);
  });

  it('production rewrites the domain, uses the production token, runs 3 and is named after the project', () => {
    const t = target(gitlab({ CI_COMMIT_REF_SLUG: 'production', NOMAD_TOKEN_PROD: 'prod-token' }));
    assert.equal(t.kind, 'production');
    assert.equal(t.slug, 'example-org-my-site');
    assert.equal(t.baseDomain, 'prod.example.com');
    assert.deepEqual(t.hostnames, ['my-site.prod.example.com']);
    assert.equal(t.nomadAddr, 'https://prod.example.com');
    assert.equal(t.tokenVariable, 'NOMAD_TOKEN_PROD');
    assert.deepEqual(t.notices, ['using nomad production token']);
    assert.equal(t.count, 3);
  });

  it('production without a production token keeps NOMAD_TOKEN and says nothing', () => {
    const t = target(gitlab({ CI_COMMIT_REF_SLUG: 'production' }));
    assert.equal(t.tokenVariable, 'NOMAD_TOKEN');
    assert.deepEqual(t.notices, []);
  });

  it('an explicit count wins over production\'s 3', () => {
    assert.equal(target(gitlab({ CI_COMMIT_REF_SLUG: 'production', NOMAD_VAR_COUNT: '2' })).count, 2);
  });

  it('production honours custom hostnames', () => {
    const t = target(gitlab({ CI_COMMIT_REF_SLUG: 'production', NOMAD_VAR_HOSTNAMES: '["www.example.com", "api"]' }));
    assert.deepEqual(t.hostnames, ['www.example.com', 'api.prod.example.com']);
  });

  it('staging rewrites the domain and uses the staging token, with the usual count', () => {
    const t = target(gitlab({ CI_COMMIT_REF_SLUG: 'staging', NOMAD_TOKEN_STAGING: 'staging-token' }));
    assert.equal(t.kind, 'staging');
    assert.equal(t.slug, 'example-org-my-site');
    assert.deepEqual(t.hostnames, ['my-site.staging.example.com']);
    assert.equal(t.nomadAddr, 'https://staging.example.com');
    assert.equal(t.tokenVariable, 'NOMAD_TOKEN_STAGING');
    assert.deepEqual(t.notices, ['using nomad staging token']);
    assert.equal(t.count, 1);
  });

  it('a base domain starting with prod. makes any branch production, but the slug keeps the branch', () => {
    const t = target(gitlab({ CI_COMMIT_REF_SLUG: 'feature-x', BASE_DOMAIN: 'prod.example.com', NOMAD_TOKEN_PROD: 'p' }));
    assert.equal(t.kind, 'production');
    assert.equal(t.slug, 'example-org-my-site-feature-x');
    assert.equal(t.tokenVariable, 'NOMAD_TOKEN_PROD');
    assert.equal(t.count, 3);
    assert.deepEqual(t.hostnames, ['my-site.prod.example.com']);
    assert.equal(t.nomadAddr, 'https://prod.example.com');
  });

  it('a two-label base domain gets prod. in front rather than losing a label', () => {
    assert.equal(target(gitlab({ CI_COMMIT_REF_SLUG: 'production', BASE_DOMAIN: 'example.com' })).baseDomain, 'prod.example.com');
  });

  it('NOMAD_ADDR, when set, wins over the derived address', () => {
    assert.equal(target(gitlab({ NOMAD_ADDR: 'https://nomad.example.com:4646/' })).nomadAddr, 'https://nomad.example.com:4646');
  });

  it('the older KUBE_INGRESS_BASE_DOMAIN still works', () => {
    const t = target(gitlab({ BASE_DOMAIN: undefined, KUBE_INGRESS_BASE_DOMAIN: 'apps.example.org' }));
    assert.deepEqual(t.hostnames, ['example-org-my-site-feature-x.apps.example.org']);
  });

  it('without BASE_DOMAIN a review app has no hostname: the error says what to set', () => {
    assert.throws(() => target(gitlab({ BASE_DOMAIN: undefined })), (e: InputError) => /^BASE_DOMAIN is not set/.test(e.message));
  });

  it('a base domain that is not a DNS name is refused by name', () => {
    assert.throws(() => target(gitlab({ BASE_DOMAIN: 'dev example' })), (e: InputError) => /^BASE_DOMAIN is "dev example": expected a DNS name/.test(e.message));
  });

  it('a NOMAD_ADDR that is not a URL is refused by name', () => {
    assert.throws(() => target(gitlab({ NOMAD_ADDR: 'nomad:4646' })), (e: InputError) => /^NOMAD_ADDR is "nomad:4646": expected an http or https URL/.test(e.message));
  });

  it('underscores are allowed in hostnames: existing deployments use them', () => {
    const t = target(gitlab({ CI_COMMIT_REF_SLUG: 'main', NOMAD_VAR_HOSTNAMES: '["my_site"]' }));
    assert.deepEqual(t.hostnames, ['my_site.dev.example.com']);
  });

  it('GitHub: the slug comes from the repository and the branch is slugged like GitLab does', () => {
    const t = target(github({ GITHUB_REF_NAME: 'feature/New_Thing' }));
    assert.equal(t.slug, 'example-org-my-site-feature-new-thing');
    assert.deepEqual(t.hostnames, ['example-org-my-site-feature-new-thing.dev.example.com']);
    assert.equal(t.forcePull, false, 'the image is tagged by commit: nothing to pull again');
  });

  describe('what a pipeline may not take (hostile pushes)', () => {
    const refused = (env: Record<string, string | undefined>) => {
      try {
        target(env);
      } catch (e) {
        assert.ok(e instanceof InputError, String(e));
        return e.lines.join('\n');
      }
      assert.fail('expected the render to be refused');
    };

    it('the cluster\'s own domain, where pipelines reach Nomad when NOMAD_ADDR is unset', () => {
      assert.match(refused(gitlab({ CI_COMMIT_REF_SLUG: 'main', NOMAD_VAR_HOSTNAMES: '["dev.example.com"]' })), /NOMAD_VAR_HOSTNAMES: "dev\.example\.com" is the cluster's own domain \(BASE_DOMAIN\)/);
      assert.match(refused(gitlab({ CI_COMMIT_REF_SLUG: 'production', NOMAD_VAR_HOSTNAMES: '["prod.example.com"]' })), /"prod\.example\.com" is the cluster's own domain/);
    });

    it('the host of NOMAD_ADDR (the Nomad UI and API)', () => {
      assert.match(refused(gitlab({ CI_COMMIT_REF_SLUG: 'main', NOMAD_ADDR: 'https://nomad.example.com:4646', NOMAD_VAR_HOSTNAMES: '["nomad.example.com"]' })), /"nomad\.example\.com" is where Nomad is reached \(NOMAD_ADDR\)/);
    });

    it('wildcards, which would take every subdomain', () => {
      assert.match(refused(gitlab({ CI_COMMIT_REF_SLUG: 'main', NOMAD_VAR_HOSTNAMES: '["*.dev.example.com"]' })), /NOMAD_VAR_HOSTNAMES: "\*\.dev\.example\.com" is a wildcard/);
      assert.match(refused(gitlab({ CI_COMMIT_REF_SLUG: 'main', NOMAD_VAR_HOSTNAMES: '["*"]' })), /^NOMAD_VAR_HOSTNAMES is /);
    });

    it('a branch without a slug, which would become the main job', () => {
      for (const branch of ['_', '__', 'é']) assert.match(refused(github({ GITHUB_REF_NAME: branch })), /has no letter or digit/);
    });

    it('a branch whose slug only is main-like, production or staging', () => {
      assert.match(refused(github({ GITHUB_REF_NAME: 'main-' })), /the branch "main-" would deploy as "main"/);
      assert.match(refused(github({ GITHUB_REF_NAME: 'production_' })), /would deploy as "production"/);
      assert.match(refused(gitlab({ CI_COMMIT_REF_SLUG: 'staging', CI_COMMIT_REF_NAME: 'Staging' })), /would deploy as "staging"/);
      assert.equal(target(github({ GITHUB_REF_NAME: 'production' })).kind, 'production', 'the branch itself still deploys');
    });

    it('a project path so long that a review app would be the main job', () => {
      const long = 'a'.repeat(62);
      assert.match(refused(gitlab({ CI_PROJECT_PATH_SLUG: long, CI_COMMIT_REF_SLUG: 'feature-x' })), /would be the job a{62}, the project's main job/);
    });
  });
});
