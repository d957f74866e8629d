import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NomadError, isTransient } from '../../../src/nomad/http.js';

describe('the retry rule', () => {
  it('retries refused connections, 5xx (a new cluster without a leader) and 429', () => {
    assert.equal(isTransient(new NomadError('GET /v1/jobs', undefined, '', 'ECONNREFUSED')), true);
    assert.equal(isTransient(new NomadError('POST /v1/acl/bootstrap', 500, 'No cluster leader')), true);
    assert.equal(isTransient(new NomadError('GET /v1/jobs', 429, '')), true);
  });

  it('never retries an answer: 4xx, unknown socket errors, other errors', () => {
    assert.equal(isTransient(new NomadError('GET /v1/job/x', 404, 'job not found')), false);
    assert.equal(isTransient(new NomadError('GET /v1/jobs', 403, 'Permission denied')), false);
    assert.equal(isTransient(new NomadError('GET /v1/jobs', undefined, '', 'CERT_HAS_EXPIRED')), false);
    assert.equal(isTransient(new Error('boom')), false);
  });
});
