import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REGISTRY_PASSWORD_KEY } from '../../../src/context/secrets.js';
import { digestOf, planSecrets, recordFromItems, recordToItems, storedSecrets } from '../../../src/deploy/secret-slots.js';
import { Secret } from '../../../src/secret.js';

const wanted = (o: Record<string, string>) => new Map(Object.entries(o).map(([k, v]) => [k, new Secret(v)]));
const SALT = '0123456789abcdef0123456789abcdef';
const recordOf = (slot: 'a' | 'b', o: Record<string, string>) => ({ slot, salt: SALT, digests: Object.fromEntries(Object.entries(o).map(([k, v]) => [k, digestOf(k, v, SALT)])) });

describe('secrets in two slots, never read back', () => {
  it('a first deploy writes slot a and records a digest per name, no value', () => {
    const plan = planSecrets(wanted({ API_KEY: 'hunter2' }), undefined, undefined, SALT);
    assert.equal(plan.slot, 'a');
    assert.equal(plan.write, true);
    assert.deepEqual(plan.changes, ['add API_KEY']);
    const items = recordToItems(plan.record);
    assert.deepEqual(Object.keys(items), ['slot', 'salt', 'digest_API_KEY']);
    assert.ok(!JSON.stringify(items).includes('hunter2'));
    assert.deepEqual(recordFromItems(items), plan.record);
  });

  it('the same secrets as the running version write nothing and keep its slot', () => {
    const plan = planSecrets(wanted({ API_KEY: 'a' }), 'b', recordOf('b', { API_KEY: 'a' }), 'ffffffffffffffffffffffffffffffff');
    assert.deepEqual([plan.slot, plan.write, plan.changes], ['b', false, []]);
  });

  it('a change goes to the slot the running version does not read, and says which names changed', () => {
    const plan = planSecrets(wanted({ KEEP: 'same', NEW: 'fresh', ROTATED: 'new' }), 'a', recordOf('a', { KEEP: 'same', ROTATED: 'old', GONE: 'x', [REGISTRY_PASSWORD_KEY]: 'p' }), SALT);
    assert.equal(plan.slot, 'b');
    assert.deepEqual(plan.changes, ['add NEW', 'remove GONE', 'change the value of ROTATED (values are never shown)']);
    assert.equal(plan.record.salt, SALT, 'the salt is kept, so the digests stay comparable');
  });

  it('a running version of an older release, or one without a record, gets the other slot and a plain "write"', () => {
    const plan = planSecrets(wanted({ A: 'x' }), 'a', undefined, SALT);
    assert.deepEqual([plan.slot, plan.changes], ['b', ["write A (no record of the running version's secrets to compare with)"]]);
    // A record of the slot the running version does not read says nothing about it.
    assert.equal(planSecrets(wanted({ A: 'x' }), 'b', recordOf('a', { A: 'x' }), SALT).write, true);
  });

  it('only a new registry password is still a change, named without its value', () => {
    const plan = planSecrets(wanted({ [REGISTRY_PASSWORD_KEY]: 'new' }), 'a', recordOf('a', { [REGISTRY_PASSWORD_KEY]: 'old' }), SALT);
    assert.deepEqual([plan.slot, plan.changes], ['b', ['change the registry password']]);
  });

  it('a record that is not nom\'s counts as none', () => {
    assert.equal(recordFromItems({ slot: 'c', salt: SALT }), undefined);
    assert.equal(recordFromItems({ slot: 'a', salt: 'short' }), undefined);
  });

  it('a plan compares what the deploy stored, the registry password included: the same pipeline again changes nothing', () => {
    const pipeline = wanted({ API_KEY: 'a' });
    const password = new Secret('registry-password');
    const deployed = planSecrets(storedSecrets(pipeline, password), undefined, undefined, SALT);
    assert.deepEqual([...storedSecrets(pipeline, password).keys()], ['API_KEY', REGISTRY_PASSWORD_KEY]);
    assert.equal(planSecrets(storedSecrets(pipeline, password), deployed.slot, deployed.record, SALT).write, false);
    assert.equal(storedSecrets(pipeline, undefined), pipeline);
  });
});
