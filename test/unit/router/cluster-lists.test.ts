import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyServiceEvent, ClusterLists } from '../../../src/router/cluster-lists.js';
import type { ServiceInstance } from '../../../src/router/routing-table.js';

const registration = { ID: '_nomad-task-a1-web-http', ServiceName: 'web', Namespace: 'default', NodeID: 'n1', JobID: 'web', AllocID: 'a1', Tags: ['https://web.example.com'], Address: '10.0.0.5', Port: 21000, CreateIndex: 7, ModifyIndex: 7 };

describe('registrations followed from Nomad\'s event stream', () => {
  it('adds a registration, and removes it on a deregistration or any removal Nomad makes with a job or an allocation', () => {
    const kept = new Map<string, ServiceInstance>();
    applyServiceEvent(kept, { Type: 'ServiceRegistration', Payload: { Service: registration } });
    assert.deepEqual([...kept.values()], [{ namespace: 'default', jobId: 'web', serviceName: 'web', allocId: 'a1', address: '10.0.0.5', port: 21000, tags: ['https://web.example.com'], createIndex: 7 }]);
    for (const type of ['ServiceDeregistration', 'JobDeregistered', 'AllocationUpdated']) {
      applyServiceEvent(kept, { Type: 'ServiceRegistration', Payload: { Service: registration } });
      applyServiceEvent(kept, { Type: type, Payload: { Service: registration } });
      assert.equal(kept.size, 0, type);
    }
    // An event without a registration changes nothing.
    applyServiceEvent(kept, { Type: 'ServiceRegistration', Payload: {} });
    assert.equal(kept.size, 0);
  });
});

const job = { ID: 'web', Name: 'web', Namespace: 'default', Status: 'pending', Type: 'service', SubmitTime: 1, Stop: false, CreateIndex: 10, ModifyIndex: 10, JobModifyIndex: 10, Meta: { nom_project: 'shop' }, TaskGroups: [] };
const alloc = { ID: 'a1', Name: 'web.web[0]', JobID: 'web', JobVersion: 0, Namespace: 'default', NodeID: 'n1', TaskGroup: 'web', ClientStatus: 'pending' as const, DesiredStatus: 'run', CreateTime: 1, ModifyTime: 1, CreateIndex: 11, ModifyIndex: 11 };
const ports = { Shared: { Ports: [{ Label: 'http', Value: 21000, To: 0, HostIP: '10.0.0.5' }] } };

describe('Nomad\'s lists followed from its event stream', () => {
  it('takes a job written in an event (registered, a status, a stop), never one older than what it keeps', () => {
    const lists = new ClusterLists({ jobs: [], allocations: [], registrations: [] });
    lists.apply({ Topic: 'Job', Type: 'JobRegistered', Payload: { Job: job } });
    assert.deepEqual(lists.jobs.get('default/web'), { ID: 'web', Name: 'web', Namespace: 'default', Status: 'pending', Type: 'service', SubmitTime: 1, Stop: false, CreateIndex: 10, ModifyIndex: 10, JobModifyIndex: 10, Meta: { nom_project: 'shop' } });
    lists.apply({ Topic: 'Job', Type: 'JobDeregistered', Payload: { Job: { ...job, Stop: true, Status: 'dead', ModifyIndex: 14 } } });
    // An event replayed after a reconnect, older than the stop.
    lists.apply({ Topic: 'Job', Type: 'PlanResult', Payload: { Job: { ...job, Status: 'running', ModifyIndex: 12 } } });
    assert.equal(lists.jobs.get('default/web')?.Stop, true);
    assert.equal(lists.jobs.get('default/web')?.Status, 'dead');
  });

  it('keeps only what routing reads of an allocation, and where Nomad lets it be reached', () => {
    const endpoints = new Map<string, ReadonlySet<string>>();
    const lists = new ClusterLists({ jobs: [job], allocations: [alloc], registrations: [] }, endpoints);
    lists.apply({ Topic: 'Allocation', Type: 'AllocationUpdated', Payload: { Allocation: { ...alloc, ClientStatus: 'running', ModifyIndex: 13, AllocatedResources: ports, TaskStates: { web: { State: 'running' } } } } });
    const { JobVersion: _, ...facts } = alloc;
    assert.deepEqual(lists.allocations.get('a1'), { ...facts, ClientStatus: 'running', ModifyIndex: 13, DeploymentStatus: undefined });
    assert.deepEqual([...endpoints.get('a1')!], ['10.0.0.5:21000']);
    lists.apply({ Topic: 'Allocation', Type: 'PlanResult', Payload: { Allocation: { ...alloc, ModifyIndex: 12 } } });
    assert.equal(lists.allocations.get('a1')?.ClientStatus, 'running', 'an older write changes nothing');
    assert.deepEqual([...lists.suspects], []);
  });

  it('suspects a job whose allocation is told to stop or whose registration goes (a purge has no event of its own)', () => {
    const lists = new ClusterLists({ jobs: [job], allocations: [alloc], registrations: [registration] });
    lists.apply({ Topic: 'Service', Type: 'ServiceRegistration', Payload: { Service: registration } });
    lists.apply({ Topic: 'Allocation', Type: 'PlanResult', Payload: { Allocation: { ...alloc, ModifyIndex: 12 } } });
    assert.deepEqual([...lists.suspects], [], 'a new instance is no sign of a purge');
    lists.apply({ Topic: 'Allocation', Type: 'PlanResult', Payload: { Allocation: { ...alloc, DesiredStatus: 'stop', ModifyIndex: 13 } } });
    lists.apply({ Topic: 'Service', Type: 'JobDeregistered', Payload: { Service: { ...registration, JobID: 'api' } } });
    assert.deepEqual([...lists.suspects], ['default/web', 'default/api']);
  });

  it('forgets a purged job with its registrations, unless an event wrote it again while Nomad was asked', () => {
    const lists = new ClusterLists({ jobs: [job], allocations: [alloc], registrations: [registration] });
    const asked = lists.jobs.get('default/web');
    lists.apply({ Topic: 'Job', Type: 'JobRegistered', Payload: { Job: { ...job, ModifyIndex: 20, JobModifyIndex: 20 } } });
    lists.forgetJob('default/web', asked);
    assert.equal(lists.jobs.get('default/web')?.JobModifyIndex, 20, 'registered again under the same name');
    lists.forgetJob('default/web', lists.jobs.get('default/web'));
    assert.equal(lists.jobs.size, 0);
    assert.equal(lists.registrations.size, 0);
  });
});
