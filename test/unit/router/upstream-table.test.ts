import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routingTable, type JobServices, type RoutingInput, type ServiceInstance } from '../../../src/router/routing-table.js';
import { routeKey, upstreamTable } from '../../../src/router/upstream-table.js';

const instance = (over: Partial<ServiceInstance>): ServiceInstance => ({
  namespace: 'default', jobId: 'web', serviceName: 'web', allocId: 'a1', address: '127.0.0.1', port: 20001, tags: ['https://web.example.com'], createIndex: 10, ...over,
});
/** The job "web" as its spec declares it: the house job's tags and canary tags. */
const webJob = (over: Partial<JobServices> = {}): JobServices => ({
  namespace: 'default', jobId: 'web', createIndex: 5, services: [{ name: 'web', tags: ['https://web.example.com'], canaryTags: ['https://canary-web.example.com'] }], ...over,
});
const table = (input: Partial<RoutingInput>) => routingTable({ jobs: [], instances: [], healthy: () => true, ...input });
const NO_INSTANCE = '127.0.0.1:4652';
const WAKE = '127.0.0.1:4653';

describe('the upstream table Caddy answers from', () => {
  it('keys each route by scheme and hostname, with its healthy instances', () => {
    const t = upstreamTable(table({ instances: [instance({ allocId: 'a', address: '10.0.0.5', port: 21034 }), instance({ allocId: 'b', address: '10.0.0.6', port: 21035 })] }), NO_INSTANCE);
    assert.deepEqual(t.routes, { 'https/web.example.com': ['10.0.0.5:21034', '10.0.0.6:21035'] });
    assert.equal(routeKey({ scheme: 'http', host: '*.example.com' }), 'http/*.example.com');
  });

  it('sends a route without a healthy instance to the 503 listener, never an empty list', () => {
    assert.deepEqual(upstreamTable(table({ jobs: [webJob()] }), NO_INSTANCE, WAKE).routes['https/web.example.com'], [NO_INSTANCE]);
  });

  it('points a sleeping job\'s route at the wake listener, and a woken one at its instances', () => {
    assert.deepEqual(upstreamTable(table({ jobs: [webJob({ asleep: true })] }), NO_INSTANCE, WAKE).routes['https/web.example.com'], [WAKE]);
    const woken = table({ jobs: [webJob()], instances: [instance({ port: 21034 })], waking: new Set(['default/web']) });
    assert.deepEqual(upstreamTable(woken, NO_INSTANCE, WAKE).routes['https/web.example.com'], ['127.0.0.1:21034']);
  });

  it('is known by its id: the same routes, the same id; a change, another', () => {
    const one = table({ instances: [instance({ port: 21034 })] });
    const two = table({ instances: [instance({ port: 21035 })] });
    assert.equal(upstreamTable(one, NO_INSTANCE).id, upstreamTable(table({ instances: [instance({ port: 21034 })] }), NO_INSTANCE).id);
    assert.notEqual(upstreamTable(one, NO_INSTANCE).id, upstreamTable(two, NO_INSTANCE).id);
    assert.match(upstreamTable(one, NO_INSTANCE).id, /^nom-[0-9a-f]{16}$/);
  });
});
