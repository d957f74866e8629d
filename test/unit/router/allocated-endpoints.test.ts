import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AllocationListStub } from '../../../src/nomad/jobs.js';
import { allocatedEndpoints, checkEndpoints, endpoint } from '../../../src/router/allocated-endpoints.js';
import type { ServiceInstance } from '../../../src/router/routing-table.js';

/** The AllocatedResources Nomad 1.6 lists for nom's own jobs: a dynamic port on the node, mapped into the container. */
const hostPorts: Pick<AllocationListStub, 'AllocatedResources'> = {
  AllocatedResources: {
    Shared: {
      Ports: [{ Label: 'http', Value: 24680, To: 8080, HostIP: '10.0.0.5' }],
      Networks: [{ Mode: 'host', IP: '10.0.0.5', DynamicPorts: [{ Label: 'http', Value: 24680, To: 8080 }] }],
    },
    Tasks: { web: { Networks: null } },
  },
};

const instance = (address: string, port: number, allocId = 'a1'): ServiceInstance => ({
  namespace: 'team-b', jobId: 'evil', serviceName: 'web', allocId, address, port, tags: ['https://evil.example.com'], createIndex: 9,
});

describe('the addresses an allocation may be routed at', () => {
  it('are the ports Nomad gave it on its node', () => {
    assert.deepEqual(allocatedEndpoints(hostPorts), ['10.0.0.5:24680']);
  });

  it('in a bridge network, also its own address with the inside port; task-level networks count too', () => {
    const bridge = allocatedEndpoints({
      AllocatedResources: {
        Shared: { Ports: [{ Label: 'http', Value: 25000, To: 8080, HostIP: '10.0.0.5' }], Networks: [{ Mode: 'bridge', IP: '172.26.64.7', DynamicPorts: [{ Label: 'http', Value: 25000, To: 8080 }] }] },
        Tasks: { old: { Networks: [{ IP: '10.0.0.5', ReservedPorts: [{ Label: 'admin', Value: 9000, To: 0 }] }] } },
      },
    });
    assert.deepEqual(bridge.sort(), ['10.0.0.5:25000', '10.0.0.5:9000', '172.26.64.7:25000', '172.26.64.7:8080']);
  });

  it('are none when Nomad listed no resources', () => {
    assert.deepEqual(allocatedEndpoints({}), []);
    assert.deepEqual(allocatedEndpoints({ AllocatedResources: null }), []);
  });

  it('write an IPv6 address in brackets', () => {
    assert.equal(endpoint('fd00::5', 24680), '[fd00::5]:24680');
  });
});

describe('instances checked against their allocation', () => {
  const allowed = new Map([['a1', new Set(allocatedEndpoints(hostPorts))]]);
  const check = (instances: ServiceInstance[]) => checkEndpoints(instances, (id) => allowed.get(id));

  it('routes an instance registered at its own port', () => {
    const { routable, refused } = check([instance('10.0.0.5', 24680)]);
    assert.equal(routable.length, 1);
    assert.deepEqual(refused, []);
  });

  it('refuses a pipeline that registers its service at the ingress node\'s loopback, another port of the node, or another host', () => {
    // Nomad's API, the router's status, Consul's API and a cloud's metadata service: all reachable from Caddy.
    const hostile = [instance('127.0.0.1', 4646), instance('127.0.0.1', 4650), instance('10.0.0.5', 8500), instance('169.254.169.254', 80)];
    const { routable, refused } = check(hostile);
    assert.deepEqual(routable, []);
    assert.deepEqual(refused.map((r) => r.reason), [
      'registers 127.0.0.1:4646, which is not an address Nomad gave its allocation (10.0.0.5:24680)',
      'registers 127.0.0.1:4650, which is not an address Nomad gave its allocation (10.0.0.5:24680)',
      'registers 10.0.0.5:8500, which is not an address Nomad gave its allocation (10.0.0.5:24680)',
      'registers 169.254.169.254:80, which is not an address Nomad gave its allocation (10.0.0.5:24680)',
    ]);
  });

  it('cannot borrow the port of another allocation, even one of the same job', () => {
    const other = new Map([['a1', new Set(['10.0.0.5:24680'])], ['a2', new Set(['10.0.0.6:31000'])]]);
    const { routable, refused } = checkEndpoints([instance('10.0.0.5', 24680, 'a2')], (id) => other.get(id));
    assert.deepEqual(routable, []);
    assert.equal(refused.length, 1);
  });

  it('leaves out, without refusing, an instance whose allocation Nomad does not list yet', () => {
    assert.deepEqual(check([instance('10.0.0.5', 24680, 'a9')]), { routable: [], refused: [] });
  });
});
