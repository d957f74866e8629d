import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeNodes, nodeIsReady } from '../../../src/cluster/cluster-bootstrap.js';
import type { NodeListStub } from '../../../src/nomad/nodes.js';

const node = (name: string, status: NodeListStub['Status'], docker?: { Healthy: boolean; HealthDescription?: string }): NodeListStub =>
  ({ ID: name, Name: name, Address: '10.0.0.1', Datacenter: 'dc1', Version: '1.6.3', Status: status, SchedulingEligibility: 'eligible', Drain: false,
    Drivers: docker ? { docker: { Detected: true, HealthDescription: '', ...docker } } : {} }) as NodeListStub;

describe('waiting for a new cluster', () => {
  it('a node is ready for nom when it is ready and its Docker driver is healthy', () => {
    assert.equal(nodeIsReady(node('a', 'ready', { Healthy: true })), true);
    assert.equal(nodeIsReady(node('a', 'ready', { Healthy: false })), false);
    assert.equal(nodeIsReady(node('a', 'ready')), false);
    assert.equal(nodeIsReady(node('a', 'initializing', { Healthy: true })), false);
  });

  it('says at the deadline which nodes are missing and why', () => {
    assert.equal(describeNodes([], 1), 'no node registered yet');
    assert.equal(
      describeNodes([node('a', 'ready', { Healthy: true }), node('b', 'ready', { Healthy: false, HealthDescription: 'Docker is down' }), node('c', 'initializing')], 3),
      '1 of 3 ready; b is ready, docker driver: Docker is down; c is initializing, docker driver: not detected',
    );
  });
});
