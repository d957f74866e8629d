import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routingTable, type JobServices, type RoutingInput, type ServiceInstance } from '../../../src/router/routing-table.js';

const instance = (over: Partial<ServiceInstance>): ServiceInstance => ({
  namespace: 'default', jobId: 'web', serviceName: 'web', allocId: 'a1', address: '127.0.0.1', port: 20001, tags: ['https://web.example.com'], createIndex: 10, ...over,
});
/** The job "web" as its spec declares it: the house job's tags and canary tags. */
const webJob = (over: Partial<JobServices> = {}): JobServices => ({
  namespace: 'default', jobId: 'web', createIndex: 5, services: [{ name: 'web', tags: ['https://web.example.com'], canaryTags: ['https://canary-web.example.com'] }], ...over,
});
const table = (input: Partial<RoutingInput>) => routingTable({ jobs: [], instances: [], healthy: () => true, ...input });
const upstreamsOf = (t: ReturnType<typeof routingTable>) => Object.fromEntries(t.routes.map((r) => [r.host, r.upstreams]));

describe('the routing table', () => {
  it('routes each hostname to the healthy instances of its service', () => {
    const t = table({ instances: [instance({ allocId: 'a1', port: 1 }), instance({ allocId: 'a2', port: 2 }), instance({ allocId: 'a3', port: 3 })], healthy: (id) => id !== 'a3' });
    assert.deepEqual(t.routes, [{ host: 'web.example.com', scheme: 'https', owner: 'default/web', upstreams: ['127.0.0.1:1', '127.0.0.1:2'] }]);
  });

  it('knows a running job\'s hostnames from its spec, before any instance registers', () => {
    const t = table({ jobs: [webJob()] });
    assert.deepEqual(t.routes.map((r) => [r.scheme, r.host, r.owner, r.upstreams]), [
      ['https', 'canary-web.example.com', 'default/web', []],
      ['https', 'web.example.com', 'default/web', []],
    ]);
  });

  it('a canary hostname shows the current instances while no canary runs', () => {
    const t = table({ jobs: [webJob()], instances: [instance({ allocId: 'v1', port: 1 })] });
    assert.deepEqual(upstreamsOf(t), { 'canary-web.example.com': ['127.0.0.1:1'], 'web.example.com': ['127.0.0.1:1'] });
  });

  it('during a canary deployment the canary hostname reaches only the canary, the main one only the old version', () => {
    const t = table({ jobs: [webJob()], instances: [instance({ allocId: 'v1', port: 1 }), instance({ allocId: 'canary', port: 2, tags: ['https://canary-web.example.com'] })] });
    assert.deepEqual(upstreamsOf(t), { 'canary-web.example.com': ['127.0.0.1:2'], 'web.example.com': ['127.0.0.1:1'] });
  });

  it('a canary that is not healthy yet gets no traffic, and the canary hostname does not fall back to the old version', () => {
    const t = table({ jobs: [webJob()], instances: [instance({ allocId: 'v1', port: 1 }), instance({ allocId: 'canary', port: 2, tags: ['https://canary-web.example.com'] })], healthy: (id) => id !== 'canary' });
    assert.deepEqual(upstreamsOf(t), { 'canary-web.example.com': [], 'web.example.com': ['127.0.0.1:1'] });
  });

  it('a hostname belongs to the first job that claimed it: a later claim gets no traffic', () => {
    const t = table({ instances: [instance({ jobId: 'hijacker', allocId: 'h', port: 9, createIndex: 50 }), instance({ createIndex: 10 })] });
    assert.deepEqual(t.routes, [{ host: 'web.example.com', scheme: 'https', owner: 'default/web', upstreams: ['127.0.0.1:20001'] }]);
    assert.deepEqual(t.conflicts, [{ host: 'web.example.com', owner: 'default/web', claimant: 'default/hijacker' }]);
  });

  it('a claim only in a job\'s spec does not take a hostname another job serves', () => {
    const t = table({ jobs: [webJob({ jobId: 'older-job', createIndex: 1 })], instances: [instance({ createIndex: 10 })] });
    assert.equal(t.routes.find((r) => r.host === 'web.example.com')!.owner, 'default/web');
  });

  it('the owner keeps its hostname while its instances are away, even when another job has some', () => {
    const previousOwners = new Map([['web.example.com', 'default/web']]);
    const t = table({ jobs: [webJob()], instances: [instance({ jobId: 'hijacker', allocId: 'h', createIndex: 50 })], previousOwners });
    assert.deepEqual(t.routes.find((r) => r.host === 'web.example.com'), { host: 'web.example.com', scheme: 'https', owner: 'default/web', upstreams: [] });
    assert.deepEqual(t.conflicts, [{ host: 'web.example.com', owner: 'default/web', claimant: 'default/hijacker' }]);
  });

  it('the same job name in another namespace is another job', () => {
    const t = table({ instances: [instance({ namespace: 'team-b', createIndex: 20, allocId: 'b' }), instance({})] });
    assert.equal(t.routes[0]!.owner, 'default/web');
    assert.equal(t.conflicts[0]!.claimant, 'team-b/web');
  });

  it('the owner recorded in the cluster owns the host, whoever registered first (after a router restart, on another ingress node)', () => {
    const recordedOwners = new Map([['web.example.com', 'default/web']]);
    const t = table({ instances: [instance({ jobId: 'squatter', allocId: 's', createIndex: 1 }), instance({ createIndex: 99 })], recordedOwners });
    assert.equal(t.routes[0]!.owner, 'default/web');
    assert.deepEqual(t.routes[0]!.upstreams, ['127.0.0.1:20001']);
    assert.deepEqual(t.conflicts, [{ host: 'web.example.com', owner: 'default/web', claimant: 'default/squatter' }]);
  });

  it('a recorded owner that claims its host no more (stopped) keeps it unrouted', () => {
    const t = table({ instances: [instance({ jobId: 'squatter', allocId: 's' })], recordedOwners: new Map([['web.example.com', 'default/web']]) });
    assert.deepEqual(t.routes, []);
    assert.deepEqual(t.conflicts, [{ host: 'web.example.com', owner: 'default/web', claimant: 'default/squatter' }]);
  });

  it('a host is owned with both its schemes: another job\'s http:// claim is refused', () => {
    const t = table({ instances: [instance({ createIndex: 1 }), instance({ jobId: 'other', allocId: 'o', createIndex: 5, tags: ['http://web.example.com'] })] });
    assert.deepEqual(t.routes.map((r) => `${r.scheme}://${r.host} ${r.owner}`), ['https://web.example.com default/web']);
    assert.deepEqual(t.conflicts, [{ host: 'web.example.com', owner: 'default/web', claimant: 'default/other' }]);
  });

  it('wildcards and the cluster\'s own hostnames are never routed', () => {
    const t = table({
      instances: [instance({ tags: ['https://*.example.com'] }), instance({ jobId: 'ui', allocId: 'u', tags: ['https://nomad.example.com'] })],
      reserved: new Set(['nomad.example.com']),
    });
    assert.deepEqual(t.routes, []);
    assert.deepEqual(t.conflicts.map((c) => `${c.host} ${c.owner} ${c.claimant}`), ['*.example.com (the cluster) default/web', 'nomad.example.com (the cluster) default/ui']);
  });
});
