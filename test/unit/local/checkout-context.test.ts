import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkoutContext, checkoutImage } from '../../../src/local/checkout-context.js';
import type { GitFacts } from '../../../src/local/local-git.js';
import { renderJob } from '../../../src/render/render-job.js';

const facts: GitFacts = { remoteUrl: 'git@gitlab.com:group/app.git', dirName: 'app', subdir: '', branch: 'feature/X', commit: 'abc123', dirtyHash: undefined };
const build = { registry: 'nom.local', buildArgs: [] };

describe('a deploy from a checkout', () => {
  it('is named from git as a GitLab pipeline would name it', () => {
    const ctx = checkoutContext(facts, {}, build, false);
    assert.deepEqual(
      [ctx.provider, ctx.projectPathSlug, ctx.projectName, ctx.branch, ctx.commitSha, ctx.image],
      ['checkout', 'group-app', 'app', 'feature-x', 'abc123', 'nom.local/group/app/feature-x:abc123'],
    );
    assert.deepEqual(ctx.cluster, { baseDomain: 'nom.localhost', nomadAddr: 'http://127.0.0.1:4646', hasProdToken: false, hasStagingToken: false });
  });

  it('tags uncommitted changes and build arguments, so another source is another image', () => {
    const dirty = checkoutImage({ ...facts, dirtyHash: '0f0f0f0f' }, build, false).image;
    const withArgs = checkoutImage(facts, { ...build, buildArgs: ['GREETING=hi'] }, false).image;
    assert.equal(dirty, 'nom.local/group/app/feature-x:abc123-dirty-0f0f0f0f');
    assert.match(withArgs, /^nom\.local\/group\/app\/feature-x:abc123-args-[0-9a-f]{8}$/);
    assert.notEqual(withArgs, checkoutImage(facts, { ...build, buildArgs: ['GREETING=ho'] }, false).image);
  });

  it('deploys the -deploy image with NOMAD_VAR_BUILD_DEPLOY, as the pipeline does', () => {
    const env = { NOMAD_VAR_BUILD_DEPLOY: 'Dockerfile.deploy' };
    const rendered = renderJob(env, { renderId: 'r', context: (e, o) => checkoutContext(facts, e, build, o.buildDeploy) });
    assert.equal(rendered.noDeploy, false);
    if (rendered.noDeploy) return;
    assert.equal(rendered.context.image, checkoutImage(facts, build, true).image);
    assert.equal(rendered.job.TaskGroups[0]!.Tasks[0]!.Config.image, 'nom.local/group/app/feature-x:abc123-deploy');
  });

  it('takes the cluster, secrets and main style from the environment', () => {
    const ctx = checkoutContext({ ...facts, branch: 'dev' }, { NOMAD_ADDR: 'https://nomad.example.com', BASE_DOMAIN: 'dev.example.com', NOMAD_SECRET_API_KEY: 'k', CI_MAIN_STYLE: '1' }, build, false);
    assert.equal(ctx.cluster.nomadAddr, 'https://nomad.example.com');
    assert.equal(ctx.cluster.baseDomain, 'dev.example.com');
    assert.deepEqual([...ctx.secrets.keys()], ['API_KEY']);
    assert.equal(ctx.mainStyle, true);
  });
});
