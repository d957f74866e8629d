import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generationsOf, namesIn, planSecrets } from '../../../src/deploy/secret-generations.js';
import { Secret } from '../../../src/secret.js';

const wanted = (o: Record<string, string>) => new Map(Object.entries(o).map(([k, v]) => [k, new Secret(v)]));

describe('secrets versioned with the job', () => {
  it('a first deploy stores generation v1', () => {
    assert.deepEqual(planSecrets({}, wanted({ API_KEY: 'a' }), { running: undefined, inUse: new Set(), legacyInUse: false }), { generation: 'v1', write: { v1_API_KEY: 'a' } });
  });

  it('unchanged secrets write nothing and keep the running generation', () => {
    const stored = { v1_API_KEY: 'a', v2_API_KEY: 'b' };
    assert.deepEqual(planSecrets(stored, wanted({ API_KEY: 'b' }), { running: 'v2', inUse: new Set(['v1', 'v2']), legacyInUse: false }), { generation: 'v2', write: undefined });
  });

  it('a changed secret is a new generation beside those kept versions read; others are dropped', () => {
    const stored = { v1_API_KEY: 'a', v2_API_KEY: 'b', v3_API_KEY: 'c' };
    const plan = planSecrets(stored, wanted({ API_KEY: 'd', DB: 'x' }), { running: 'v3', inUse: new Set(['v2', 'v3']), legacyInUse: false });
    assert.deepEqual(plan, { generation: 'v4', write: { v2_API_KEY: 'b', v3_API_KEY: 'c', v4_API_KEY: 'd', v4_DB: 'x' } });
  });

  it('going back to secrets a kept version has reuses its generation', () => {
    const stored = { v1_API_KEY: 'a', v2_API_KEY: 'b' };
    assert.deepEqual(planSecrets(stored, wanted({ API_KEY: 'a' }), { running: 'v2', inUse: new Set(['v1', 'v2']), legacyInUse: false }), { generation: 'v1', write: undefined });
  });

  it('keys of older nom releases stay while a kept version reads them', () => {
    const plan = planSecrets({ API_KEY: 'old' }, wanted({ API_KEY: 'new' }), { running: undefined, inUse: new Set(), legacyInUse: true });
    assert.deepEqual(plan, { generation: 'v1', write: { API_KEY: 'old', v1_API_KEY: 'new' } });
    assert.deepEqual(generationsOf({ API_KEY: 'old', v1_API_KEY: 'new', v10_X: 'y' }).byGeneration, new Map([['v1', { API_KEY: 'new' }], ['v10', { X: 'y' }]]));
    assert.deepEqual(namesIn({ API_KEY: 'old', v1_API_KEY: 'new' }, undefined), { API_KEY: 'old' });
  });

  it('a generation number is never reused while a version reads it, even after its items are gone', () => {
    assert.equal(planSecrets({}, wanted({ A: 'x' }), { running: 'v7', inUse: new Set(['v7']), legacyInUse: false }).generation, 'v8');
  });
});
