import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceEntry } from '../../../src/consul/client.js';
import type { AllocationListStub } from '../../../src/nomad/jobs.js';
import { allocationOfService, consulCheckResults, consulInstances, routedServiceNames } from '../../../src/router/consul-services.js';
import { routingTable } from '../../../src/router/routing-table.js';

const A1 = '5c3f0f7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const A2 = '9d8c7b6a-5f4e-4d3c-8b2a-190817263544';
const alloc = (id: string, over: Partial<AllocationListStub> = {}): AllocationListStub => ({
  ID: id, Name: 'web.web[0]', JobID: 'web', JobVersion: 1, Namespace: 'team-a', NodeID: 'n1', TaskGroup: 'web', ClientStatus: 'running', DesiredStatus: 'run',
  CreateTime: 0, ModifyTime: 0, CreateIndex: 40, ...over,
});
/** An instance as Consul's /v1/health/service answers it, registered by Nomad for allocation `id`. */
const entry = (id: string, over: { name?: string; tags?: string[]; status?: 'passing' | 'critical'; serviceId?: string; output?: string } = {}): ServiceEntry => {
  const serviceId = over.serviceId ?? `_nomad-task-${id}-http-${over.name ?? 'web'}-http`;
  return {
    Node: { Node: 'n1', Address: '10.0.0.5' },
    Service: { ID: serviceId, Service: over.name ?? 'web', Tags: over.tags ?? ['https://web.example.com'], Address: '127.0.0.1', Port: 21000, CreateIndex: 7, ModifyIndex: 7 },
    Checks: [
      { Node: 'n1', CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'passing', Output: 'Agent alive', ServiceID: '', ServiceName: '' },
      { Node: 'n1', CheckID: `_nomad-check-${id}`, Name: 'alive', Status: over.status ?? 'passing', Output: over.output ?? 'HTTP GET http://127.0.0.1:21000/: 200 OK', ServiceID: serviceId, ServiceName: over.name ?? 'web' },
    ],
  };
};

describe('services registered in Consul', () => {
  it('finds the allocation in the IDs Nomad gives task and group services, and nothing in others', () => {
    assert.equal(allocationOfService(`_nomad-task-${A1}-http-web-http`), A1);
    assert.equal(allocationOfService(`_nomad-task-${A1}-group-web-web-http`), A1);
    assert.equal(allocationOfService('web-1'), undefined);
    assert.equal(allocationOfService('_nomad-server-abc-http'), undefined);
  });

  it('belong to the Nomad job of their allocation, whatever the service is called, counted from the allocation\'s creation', () => {
    const [i] = consulInstances([entry(A1, { name: 'seed-style-web' })], new Map([[A1, alloc(A1)]]));
    assert.deepEqual(i, {
      namespace: 'team-a', jobId: 'web', serviceName: 'seed-style-web', allocId: A1, address: '127.0.0.1', port: 21000, tags: ['https://web.example.com'], createIndex: 40, healthy: true,
      consulId: `_nomad-task-${A1}-http-seed-style-web-http`,
    });
  });

  it('are healthy only while every check passes, their node\'s included, and their allocation runs', () => {
    const allocs = new Map([[A1, alloc(A1)], [A2, alloc(A2, { ClientStatus: 'complete' })]]);
    const critical = entry(A1, { status: 'critical' });
    assert.equal(consulInstances([critical], allocs)[0]!.healthy, false);
    const nodeDown = entry(A1);
    nodeDown.Checks[0]!.Status = 'critical';
    nodeDown.Checks[0]!.Output = 'Agent not live or unreachable';
    assert.equal(consulInstances([nodeDown], allocs)[0]!.healthy, false);
    // The router logs which check took it out, with the first line of its output.
    assert.equal(consulInstances([nodeDown], allocs)[0]!.failing, 'check "Serf Health Status" (serfHealth) critical: Agent not live or unreachable');
    assert.equal(consulInstances([entry(A1, { status: 'critical', output: '' })], allocs)[0]!.failing, 'check "alive" (_nomad-check-5c3f0f7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f) critical, not run yet');
    assert.equal(consulInstances([entry(A1)], allocs)[0]!.failing, undefined);
    assert.equal(consulInstances([entry(A2)], allocs)[0]!.healthy, false);
  });

  it('keep the health they had while a check has not run yet (a restarted Consul), and a new one waits for its checks', () => {
    const allocs = new Map([[A1, alloc(A1)], [A2, alloc(A2)]]);
    const notRun = (id: string) => entry(id, { status: 'critical', output: '' });
    const previous = new Map([[`_nomad-task-${A1}-http-web-http`, true], [`_nomad-task-${A2}-http-web-http`, false]]);
    assert.deepEqual(consulInstances([notRun(A1), notRun(A2)], allocs, previous).map((i) => i.healthy), [true, false]);
    assert.equal(consulInstances([notRun(A1)], allocs)[0]!.healthy, false, 'a new instance is healthy before its checks ran');
    // Reset to critical, with the output of its last (passing) run left over: it has not run since.
    const stale = (id: string) => entry(id, { status: 'critical', output: 'HTTP GET http://127.0.0.1:31061/healthcheck: 200 OK Output: ok' });
    assert.deepEqual(consulInstances([stale(A1), stale(A2)], allocs, previous).map((i) => i.healthy), [true, false]);
    assert.equal(consulInstances([entry(A1, { status: 'critical', output: 'TCP connect 127.0.0.1:21000: Success' })], allocs, previous)[0]!.healthy, true);
    // Once a check has run and fails, the instance leaves at once.
    assert.equal(consulInstances([entry(A1, { status: 'critical', output: 'HTTP GET …: 500' })], allocs, previous)[0]!.healthy, false);
  });

  it('leave out a registration no Nomad allocation stands behind: an operator\'s, or one whose allocation Nomad no longer lists', () => {
    const allocs = new Map([[A1, alloc(A1)]]);
    assert.deepEqual(consulInstances([entry(A1, { serviceId: 'handmade-web' }), entry(A2)], allocs), []);
  });

  it('give a job in another namespace, registering the same service name, no claim on the first job\'s hostname', () => {
    const allocs = new Map([[A1, alloc(A1)], [A2, alloc(A2, { Namespace: 'team-b', JobID: 'intruder', CreateIndex: 90 })]]);
    const instances = consulInstances([entry(A1), entry(A2)], allocs);
    const t = routingTable({ jobs: [], instances, healthy: () => false, recordedOwners: new Map([['web.example.com', 'team-a/web']]) });
    assert.deepEqual(t.routes, [{ host: 'web.example.com', scheme: 'https', owner: 'team-a/web', upstreams: ['127.0.0.1:21000'] }]);
    assert.deepEqual(t.conflicts, [{ host: 'web.example.com', owner: 'team-a/web', claimant: 'team-b/intruder' }]);
  });

  it('route by Consul\'s health, not by the health Nomad would be asked for', () => {
    const instances = consulInstances([entry(A1, { status: 'critical' })], new Map([[A1, alloc(A1)]]));
    assert.deepEqual(routingTable({ jobs: [], instances, healthy: () => true }).routes[0]!.upstreams, []);
  });

  it('give their checks in the shape of Nomad\'s check results, by allocation, without the node\'s', () => {
    const results = consulCheckResults([entry(A1, { status: 'critical', output: 'HTTP GET http://127.0.0.1:21000/broken: 404 Not Found' })]);
    assert.deepEqual([...results.keys()], [A1]);
    assert.deepEqual(results.get(A1)!.map((c) => [c.Check, c.Service, c.Status, c.Output]), [['alive', 'web', 'failure', 'HTTP GET http://127.0.0.1:21000/broken: 404 Not Found']]);
  });

  it('are read only for the services whose tags claim a hostname, the seed\'s tag forms included', () => {
    const names = routedServiceNames({ consul: [], nomad: ['http', 'rpc', 'serf'], web: ['https://web.example.com'], seed: ['urlprefix-seed.example.com:443/'], db: ['urlprefix-:5432 proto=tcp'] });
    assert.deepEqual(names, ['seed', 'web']);
  });
});
