import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeListStub } from '../../../src/nomad/nodes.js';
import { nodeLines, nodeRow } from '../../../src/operate/node-overview.js';

describe('nom nodes', () => {
  it('shows each node\'s capacity, what its allocations reserve, and what it uses', () => {
    const node = { ID: 'n1', Name: 'node-1', Address: '10.0.0.1', Datacenter: 'dc1', Version: '1.6.3', Status: 'ready', SchedulingEligibility: 'eligible', Drain: false,
      Drivers: { docker: { Detected: true, Healthy: true, HealthDescription: '' }, exec: { Detected: false, Healthy: false, HealthDescription: '' } },
      NodeResources: { Cpu: { CpuShares: 4000 }, Memory: { MemoryMB: 8000 } }, ReservedResources: { Cpu: { CpuShares: 0 }, Memory: { MemoryMB: 0 } } } as NodeListStub;
    const allocs = [{ ID: 'a', JobID: 'web', ClientStatus: 'running', AllocatedResources: { Tasks: { http: { Cpu: { CpuShares: 100 }, Memory: { MemoryMB: 300 } } } } }, { ID: 'b', JobID: 'old', ClientStatus: 'complete', AllocatedResources: { Tasks: { http: { Cpu: { CpuShares: 999 }, Memory: { MemoryMB: 999 } } } } }];
    const stats = { Memory: { Total: 8e9, Available: 7e9, Used: 512 * 2 ** 20, Free: 7e9 }, CPU: [{ CPU: 'cpu0', TotalPercent: 10 }, { CPU: 'cpu1', TotalPercent: 30 }], CPUTicksConsumed: 0, Uptime: 1 };
    const row = nodeRow(node, allocs, stats);
    assert.deepEqual([row.drivers, row.allocations, row.cpu, row.memory], [['docker'], 1, { total: 4000, allocated: 100, usedPercent: 20 }, { total: 8000, allocated: 300, used: 512 }]);
    assert.match(nodeLines([row])[1]!, /^node-1\s+ready\s+10\.0\.0\.1\s+1\.6\.3\s+docker\s+1\s+100\/4000 \(3%, 20%\)\s+300\/8000 \(4%, 512 MB\)$/);
    assert.match(nodeLines([nodeRow({ ...node, Status: 'down' }, [], undefined)])[1]!, /down .* \(0%, \?\)/);
  });
});
