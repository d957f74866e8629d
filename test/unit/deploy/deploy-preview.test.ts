import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostnameChanges } from '../../../src/deploy/deploy-preview.js';

describe('nom plan: what a deploy would change besides the job', () => {
  it('names the URLs gained and lost', () => {
    assert.deepEqual(hostnameChanges(['https://a.example.com'], ['https://a.example.com']), []);
    assert.deepEqual(hostnameChanges(['https://a.example.com'], ['https://b.example.com']), ['would route https://b.example.com', 'would no longer route https://a.example.com']);
    assert.deepEqual(hostnameChanges([], ['https://new.example.com']), ['would route https://new.example.com']);
  });
});
