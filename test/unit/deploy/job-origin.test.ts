import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkOrigin, keepRunOfSameCommit, originOf } from '../../../src/deploy/job-origin.js';

const job = (project: string, branch: string, environment = 'main') => ({ Meta: { nom_project: project, nom_branch: branch, nom_environment: environment } });

describe('where a job came from', () => {
  it('is read from the meta nom records', () => {
    assert.deepEqual(originOf(job('acme-shop', 'main')), { project: 'acme-shop', branch: 'main', environment: 'main' });
    assert.equal(originOf({ Meta: null }), undefined);
  });

  it('a pipeline deploys over and stops only its own project and branch', () => {
    checkOrigin('acme-shop', job('acme-shop', 'main'), originOf(job('acme-shop', 'main')), 'deploy');
    assert.throws(
      () => checkOrigin('acme-shop-api', job('acme-shop-api', 'main'), originOf(job('acme-shop', 'api', 'review')), 'stop'),
      /job acme-shop-api belongs to project acme-shop-api, branch main \(main\), not to this pipeline's project acme-shop, branch api \(review\): nom will not stop it/,
    );
  });

  it('a job nom did not deploy (or no job yet) is taken over', () => {
    checkOrigin('web', undefined, originOf(job('acme', 'main')), 'deploy');
    checkOrigin('web', { Meta: {} }, originOf(job('acme', 'main')), 'deploy');
  });

  it('a job deployed again from the same commit keeps the run and user that first deployed it, so Nomad restarts nothing', () => {
    const running = { Meta: { nom_commit: 'abc', nom_run_url: 'https://ci/jobs/1', nom_user: 'ada' } };
    const rerun = { Meta: { nom_commit: 'abc', nom_run_url: 'https://ci/jobs/2', nom_user: 'grace' } };
    assert.deepEqual(keepRunOfSameCommit(rerun, running).Meta, running.Meta);
    // Without a run recorded then, none now.
    assert.deepEqual(keepRunOfSameCommit(rerun, { Meta: { nom_commit: 'abc' } }).Meta, { nom_commit: 'abc' });
    // A new commit brings its own; a first deploy too.
    const next = { Meta: { nom_commit: 'def', nom_run_url: 'https://ci/jobs/3', nom_user: 'grace' } };
    assert.equal(keepRunOfSameCommit(next, running), next);
    assert.equal(keepRunOfSameCommit(next, undefined), next);
  });
});
