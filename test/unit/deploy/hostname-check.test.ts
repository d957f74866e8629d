import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { claimedHosts, foreignClaims } from '../../../src/deploy/hostname-check.js';
import type { NomadJob } from '../../../src/jobspec/nomad-job.js';

const job = { ID: 'shop', Namespace: 'default', TaskGroups: [{ Name: 'shop', Services: [{ Name: 'shop', Tags: ['https://www.example.com', 'http://www.example.com', 'other'], CanaryTags: ['https://canary-www.example.com'] }], Tasks: [] }] } as unknown as NomadJob;
const record = (host: string, owner: string) => ({ host, owner, since: '2026-11-30T10:00:00.000Z', path: `nom/hostnames/${host}`, modifyIndex: 1 });

describe('a deploy claims only hostnames no other job owns', () => {
  it('the hostnames a job claims, canary names included', () => {
    assert.deepEqual(claimedHosts(job), ['canary-www.example.com', 'www.example.com']);
  });

  it('names the owner of each hostname that is another job\'s', () => {
    assert.deepEqual(foreignClaims(job, new Map([['www.example.com', record('www.example.com', 'default/shop')]])), []);
    assert.deepEqual(foreignClaims(job, new Map([['www.example.com', record('www.example.com', 'team-a/shop')]])), [
      'NOMAD_VAR_HOSTNAMES: www.example.com belongs to the job team-a/shop (since 2026-11-30T10:00:00.000Z): choose another hostname, or have an operator release it (nom router release www.example.com)',
    ]);
  });
});
