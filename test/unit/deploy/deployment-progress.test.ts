import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultTimeoutMs, deploymentProgress, rollbackVersion } from '../../../src/deploy/deployment-progress.js';
import type { Deployment } from '../../../src/nomad/deployments.js';

describe('deployment progress', () => {
  const deployment = (tg: Partial<Deployment['TaskGroups'][string]>, extra: Partial<Deployment> = {}): Deployment => ({
    ID: 'd', JobID: 'web', JobVersion: 2, Status: 'running', StatusDescription: '', ModifyIndex: 1,
    TaskGroups: { web: { AutoRevert: true, AutoPromote: true, Promoted: false, PlacedCanaries: [], DesiredCanaries: 1, DesiredTotal: 3, PlacedAllocs: 0, HealthyAllocs: 0, UnhealthyAllocs: 0, ...tg } },
    ...extra,
  });

  it('shows the canary, then promotion and health', () => {
    assert.deepEqual(deploymentProgress(deployment({ PlacedCanaries: ['a'], PlacedAllocs: 1, HealthyAllocs: 0 })), ['group web: canary 1/1 placed, 0 healthy']);
    assert.deepEqual(deploymentProgress(deployment({ Promoted: true, PlacedAllocs: 3, HealthyAllocs: 2 })), ['group web: promoted, healthy 2/3, 1 starting']);
    assert.deepEqual(deploymentProgress(deployment({ DesiredCanaries: 0, PlacedAllocs: 1, UnhealthyAllocs: 1 })), ['group web: healthy 0/3, 1 unhealthy']);
  });

  it('reads the rollback version from Nomad\'s description', () => {
    assert.equal(rollbackVersion(deployment({}, { StatusDescription: 'Failed due to unhealthy allocations - rolling back to job version 1' })), 1);
    assert.equal(rollbackVersion(deployment({}, { StatusDescription: 'Failed due to unhealthy allocations' })), undefined);
  });

  it('never waits forever: the default timeout follows the job\'s own deadlines', () => {
    const job = { TaskGroups: [{ Count: 3, Update: { HealthyDeadline: 80e9, Canary: 1, MaxParallel: 1 } }] };
    // (3 allocations + 1 canary round) × (80s + 30s) + 2 minutes
    assert.equal(defaultTimeoutMs(job), 4 * 110_000 + 120_000);
  });
});
