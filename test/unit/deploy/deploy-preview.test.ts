import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REGISTRY_PASSWORD_KEY } from '../../../src/context/secrets.js';
import { hostnameChanges, secretChanges } from '../../../src/deploy/deploy-preview.js';
import { Secret } from '../../../src/secret.js';

describe('nom plan: what a deploy would change besides the job', () => {
  it('names the URLs gained and lost', () => {
    assert.deepEqual(hostnameChanges(['https://a.example.com'], ['https://a.example.com']), []);
    assert.deepEqual(hostnameChanges(['https://a.example.com'], ['https://b.example.com']), ['would route https://b.example.com', 'would no longer route https://a.example.com']);
    assert.deepEqual(hostnameChanges([], ['https://new.example.com']), ['would route https://new.example.com']);
  });

  it('names secrets added, removed and changed, and never shows a value', () => {
    const wanted = new Map([['KEEP', new Secret('same')], ['NEW', new Secret('fresh-value')], ['ROTATED', new Secret('new-value')]]);
    const stored = { KEEP: 'same', ROTATED: 'old-value', GONE: 'gone-value', [REGISTRY_PASSWORD_KEY]: 'registry-password' };
    const lines = secretChanges(stored, wanted);
    assert.deepEqual(lines, ['would add NEW', 'would remove GONE', 'would change the value of ROTATED (values are never shown)']);
    for (const value of ['same', 'fresh-value', 'new-value', 'old-value', 'gone-value', 'registry-password']) assert.ok(!lines.join('\n').includes(value), value);
    assert.deepEqual(secretChanges({ KEEP: 'same' }, new Map([['KEEP', new Secret('same')]])), []);
  });
});
