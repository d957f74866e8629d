import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyServiceEvent } from '../../../src/router/cluster-view.js';
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
