import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkOrigin, originOf } from '../../../src/deploy/job-origin.js';

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
});
