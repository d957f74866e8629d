import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CheckResult } from '../../../src/nomad/allocations.js';
import type { Deployment } from '../../../src/nomad/deployments.js';
import { jobStatus, statusLines } from '../../../src/operate/job-status.js';
import { NOW, ns, webJob, alloc } from '../../helpers/nomad-fixtures.js';

const check = (status: CheckResult['Status']): CheckResult => ({ ID: 'c', Check: 'http', Group: 'web', Mode: 'healthiness', Output: '', Service: 'web', Status: status, StatusCode: 200, Timestamp: 0 });

describe('nom status', () => {
  const job = webJob(3, 'registry.example.com/web:3');
  const deployment = { ID: 'd1', JobID: 'web', JobVersion: 3, Status: 'successful', StatusDescription: 'Deployment completed successfully', ModifyIndex: 1, TaskGroups: { web: { HealthyAllocs: 2, DesiredTotal: 2, DesiredCanaries: 1, Promoted: true } } } as unknown as Deployment;
  const allocations = [
    alloc({}),
    alloc({ ID: '5e6f7a8b-0000', Name: 'web.web[1]', ClientStatus: 'running', DeploymentStatus: { Healthy: true, Canary: true }, CreateTime: ns('2026-11-25T11:50:00Z'), TaskStates: { http: { State: 'running', Failed: false, Restarts: 0 } } }),
    alloc({ ID: '9999aaaa-0000', Name: 'web.web[0]', JobVersion: 2, ClientStatus: 'complete', DesiredStatus: 'stop', CreateTime: ns('2026-11-25T10:00:00Z') }),
  ];
  const checks = new Map([['1a2b3c4d-0000-0000-0000-000000000000', [check('success')]], ['5e6f7a8b-0000', [check('failure'), check('success')]]]);
  const status = jobStatus({ job, deployment, allocations, checks });

  it('gives the version, the deployment, the URLs and the current allocations with their health', () => {
    assert.deepEqual(status.job.deployedFrom, { project: 'group-web', branch: 'main', commit: 'commit30000000', environment: 'main' });
    assert.deepEqual(status.deployment!.groups, [{ name: 'web', healthy: 2, desired: 2, canaries: 1, promoted: true }]);
    assert.deepEqual(status.urls, [{ url: 'https://web.example.com', canary: false }, { url: 'https://canary-web.example.com', canary: true }]);
    assert.deepEqual(status.allocations.map((a) => [a.id.slice(0, 8), a.name, a.health, a.restarts, a.canary]), [
      ['5e6f7a8b', 'web[1]', 'failing', 0, true],
      ['1a2b3c4d', 'web[0]', 'healthy', 1, false],
    ]);
    assert.equal(status.hidden, 1, 'the stopped allocation of version 2 is left out');
    assert.equal(jobStatus({ job, deployment, allocations, checks, all: true }).allocations.length, 3);
  });

  it('reads as a few lines and a table, without colour unless asked', () => {
    const lines = statusLines(status, { now: NOW });
    assert.equal(lines[0], 'web · service · running · version 3 (stable) · namespace default');
    assert.equal(lines[1], 'submitted 57m ago (2026-11-25 11:03:00 UTC) · main deploy of branch main · commit commit300000');
    assert.match(lines[2]!, /^deployment of version 3: successful \(Deployment completed successfully\) · web: 2\/2 healthy, 1 canary promoted$/);
    assert.equal(lines[3], 'https://web.example.com');
    assert.match(lines[4]!, /^https:\/\/canary-web\.example\.com \(canary/);
    assert.match(lines[6]!, /^ALLOCATION\s+NAME\s+VERSION\s+NODE\s+STATUS\s+HEALTH\s+AGE\s+RESTARTS$/);
    assert.match(lines[7]!, /^5e6f7a8b\s+web\[1\] \(canary\)\s+3\s+node-1\s+running\s+failing\s+10m\s+0$/);
    assert.match(lines.at(-1)!, /1 stopped allocation of earlier versions not shown: --all/);
    assert.doesNotMatch(lines.join('\n'), /\x1b\[/);
    const painted = statusLines(status, { now: NOW, paint: (t, tone) => (tone ? `<${tone}>${t}</>` : t) });
    assert.match(painted.join('\n'), /<green>running<\/>/);
    assert.match(painted.join('\n'), /<red>failing<\/>/);
  });
});
