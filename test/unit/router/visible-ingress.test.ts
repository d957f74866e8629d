import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { visibleIngress } from '../../../src/router/visible-ingress.js';

describe('the ingress a token sees in the console', () => {
  const table = {
    routes: [
      { host: 'shop.example.com', scheme: 'https' as const, owner: 'team-a/shop', upstreams: ['10.0.0.5:21000', '10.0.0.6:21001'] },
      { host: 'blog.example.com', scheme: 'https' as const, owner: 'team-b/blog', upstreams: [] },
    ],
    conflicts: [
      { host: 'blog.example.com', owner: 'team-b/blog', claimant: 'team-a/intruder' },
      { host: 'shop.example.com', owner: 'team-a/shop', claimant: 'team-b/copycat' },
    ],
  };
  const records = [{ host: 'shop.example.com', owner: 'team-a/shop', since: '2026-11-01T00:00:00Z' }, { host: 'blog.example.com', owner: 'team-b/blog', since: '2026-11-02T00:00:00Z' }];

  it('holds only the routes, refused claims and owners of jobs it may read, and no instance addresses', () => {
    const seen = visibleIngress(table, records, new Set(['team-a/shop', 'team-a/intruder']));
    assert.deepEqual(seen.routes, [{ host: 'shop.example.com', scheme: 'https', owner: 'team-a/shop', instances: 2 }]);
    // team-a sees its refused claim, not who owns the hostname in team-b.
    assert.deepEqual(seen.refused, [{ host: 'blog.example.com', claimant: 'team-a/intruder', owner: undefined }]);
    assert.deepEqual(seen.records, [records[0]]);
    assert.ok(!JSON.stringify(seen).includes('10.0.0.5'));
  });

  it('names the cluster as the owner of its own hostnames (the console\'s, the Nomad UI\'s)', () => {
    const claimed = { routes: [], conflicts: [{ host: 'nom.apps.example.com', owner: '(the cluster)', claimant: 'team-a/hijack' }] };
    assert.deepEqual(visibleIngress(claimed, [], new Set(['team-a/hijack'])).refused, [{ host: 'nom.apps.example.com', claimant: 'team-a/hijack', owner: '(the cluster)' }]);
  });

  it('is empty for a token that may read no job', () => {
    assert.deepEqual(visibleIngress(table, undefined, new Set()), { routes: [], refused: [], records: [], sleep: [] });
  });

  it('tells which visible jobs sleep and their last request, nothing of the others', () => {
    const sleep = [{ job: 'team-a/web', asleep: true, lastRequest: '2026-12-01T11:00:00Z', sleepsAfter: '3600s' }, { job: 'team-b/api', asleep: false, sleepsAfter: '3600s' }];
    assert.deepEqual(visibleIngress(table, undefined, new Set(['team-a/web']), sleep).sleep, [sleep[0]]);
  });
});
