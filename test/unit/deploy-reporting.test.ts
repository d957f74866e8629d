import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gitlabDotenv, githubOutput, githubSummary } from '../../src/deploy/ci-outputs.js';
import { defaultTimeoutMs, deploymentProgress, rollbackVersion } from '../../src/deploy/deployment-progress.js';
import { placementFailures } from '../../src/deploy/placement-failure.js';
import { planSummary } from '../../src/deploy/plan-summary.js';
import type { Deployment } from '../../src/nomad/deployments.js';
import type { JobPlanResponse } from '../../src/nomad/jobs.js';

const metric = { NodesEvaluated: 1, NodesFiltered: 0, NodesExhausted: 0, CoalescedFailures: 0 };

describe('placement failures in words', () => {
  it('not enough memory', () => {
    assert.deepEqual(placementFailures({ web: { ...metric, NodesExhausted: 1, DimensionExhausted: { memory: 1 } } }), ['cannot place group web: not enough memory on 1 of 1 node']);
  });

  it('no node with the driver', () => {
    const [line] = placementFailures({ web: { ...metric, NodesFiltered: 3, NodesEvaluated: 3, ConstraintFiltered: { 'missing drivers': 3 } } });
    assert.equal(line, 'cannot place group web: 3 nodes filtered out by missing drivers');
  });

  it('no nodes at all', () => {
    assert.deepEqual(placementFailures({ web: { ...metric, NodesEvaluated: 0 } }), ['cannot place group web: no nodes are available in the job\'s datacenters and node pool']);
  });

  it('nothing failed, nothing said', () => {
    assert.deepEqual(placementFailures(null), []);
  });
});

describe('a plan in a few lines', () => {
  const edited: JobPlanResponse = {
    JobModifyIndex: 12,
    FailedTGAllocs: null,
    Warnings: '',
    Annotations: { DesiredTGUpdates: { web: { Canary: 1, Ignore: 1, Place: 0 } } },
    Diff: {
      Type: 'Edited', ID: 'web', Name: '', Fields: null,
      Objects: [{ Type: 'Edited', Name: 'Meta', Fields: [{ Type: 'Edited', Name: 'Meta[nom_commit]', Old: 'a', New: 'b' }], Objects: null }],
      TaskGroups: [{
        Type: 'Edited', Name: 'web', Objects: null,
        Fields: [{ Type: 'Edited', Name: 'Count', Old: '1', New: '3' }],
        Tasks: [{
          Type: 'Edited', Name: 'http', Fields: null,
          Objects: [{ Type: 'Edited', Name: 'Config', Objects: null, Fields: [{ Type: 'Edited', Name: 'image', Old: 'app:a', New: 'app:b' }] }],
        }],
      }],
    },
  };

  it('says the image, the count, what else changes and what Nomad will do', () => {
    assert.deepEqual(planSummary(edited), [
      'count 1 → 3',
      'image app:a → app:b',
      'also changes: job.Meta.Meta[nom_commit]',
      'group web: 1 canary, 1 unchanged',
    ]);
  });

  it('a new job and an unchanged one', () => {
    assert.deepEqual(planSummary({ ...edited, Diff: { ...edited.Diff!, Type: 'Added' }, Annotations: null }), ['new job web']);
    assert.deepEqual(planSummary({ ...edited, Diff: { ...edited.Diff!, Type: 'None' } }), ['no changes: this version is already deployed']);
  });
});

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

describe('CI outputs', () => {
  const app = { job: 'web-main', version: 4, urls: ['https://web.example.com'], image: 'registry/web:abc' };

  it('GitLab: a dotenv report for environment:url', () => {
    assert.equal(gitlabDotenv(app), 'DYNAMIC_ENVIRONMENT_URL=https://web.example.com\nNOM_URL=https://web.example.com\nNOM_JOB=web-main\n');
  });

  it('GitHub: step outputs and a summary table', () => {
    assert.equal(githubOutput(app), 'url=https://web.example.com\njob=web-main\n');
    assert.match(githubSummary(app), /\| url \| https:\/\/web\.example\.com \|/);
  });
});
