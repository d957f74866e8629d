import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandError } from '../../../src/errors.js';
import type { AllocationListStub, RegisteredJob } from '../../../src/nomad/jobs.js';
import { runningAllocations, taskOf } from '../../../src/operate/pick-allocation.js';

const ns = (iso: string) => Date.parse(iso) * 1e6;

/** The house job "web" at `version`, running `image`. */
function webJob(version: number, image: string, over: Partial<RegisteredJob> = {}): RegisteredJob {
  return {
    ID: 'web', Name: 'web', Namespace: 'default', Type: 'service', Datacenters: ['*'],
    Meta: { nom_project: 'group-web', nom_branch: 'main', nom_commit: `commit${version}0000000`, nom_environment: 'main' },
    TaskGroups: [{
      Name: 'web', Count: 2, RestartPolicy: {} as never, ReschedulePolicy: {} as never, Networks: [],
      Services: [{ Name: 'web', Provider: 'nomad', PortLabel: 'http', Tags: ['https://web.example.com'], CanaryTags: ['https://canary-web.example.com'], Checks: [] }],
      Tasks: [{ Name: 'http', Driver: 'docker', Config: { image }, Resources: { CPU: 100, MemoryMB: 300, MemoryMaxMB: 3000 }, Templates: [] }],
    }],
    Version: version, Status: 'running', Stop: false, Stable: true, JobModifyIndex: 100 + version, SubmitTime: ns('2026-11-25T11:00:00Z') + version * 60e9,
    ...over,
  };
}

function alloc(over: Partial<AllocationListStub>): AllocationListStub {
  return {
    ID: '1a2b3c4d-0000-0000-0000-000000000000', Name: 'web.web[0]', JobID: 'web', JobVersion: 3, Namespace: 'default', NodeID: 'node0000-1111', NodeName: 'node-1',
    TaskGroup: 'web', ClientStatus: 'running', DesiredStatus: 'run', DeploymentStatus: { Healthy: true }, TaskStates: { http: { State: 'running', Failed: false, Restarts: 1 } },
    CreateTime: ns('2026-11-25T11:48:00Z'), ModifyTime: ns('2026-11-25T11:48:30Z'), ...over,
  };
}

describe('choosing an allocation and a task', () => {
  const allocs = [alloc({ ID: 'aaaa1111-0', Name: 'web.web[0]', CreateTime: 1 }), alloc({ ID: 'bbbb2222-0', Name: 'web.web[1]', CreateTime: 2 }), alloc({ ID: 'cccc3333-0', Name: 'web.web[2]', ClientStatus: 'failed' })];

  it('takes every running one, newest first, or the one --alloc names by index or ID prefix', () => {
    assert.deepEqual(runningAllocations(allocs, 'web').map((a) => a.ID), ['bbbb2222-0', 'aaaa1111-0']);
    assert.deepEqual(runningAllocations(allocs, 'web', '0').map((a) => a.ID), ['aaaa1111-0']);
    assert.deepEqual(runningAllocations(allocs, 'web', 'BBBB').map((a) => a.ID), ['bbbb2222-0']);
  });

  it('says what runs when --alloc matches nothing, and when nothing runs at all', () => {
    assert.throws(() => runningAllocations(allocs, 'web', 'cccc'), (e: Error) => e instanceof CommandError && /no running allocation of web is --alloc cccc; running: bbbb2222 \(web\[1\]\), aaaa1111 \(web\[0\]\)/.test(e.message));
    assert.throws(() => runningAllocations([allocs[2]!], 'web'), /job web has no running allocation \(`nom status web` says why\)/);
  });

  it('takes the main task unless --task names another that exists', () => {
    const job = webJob(1, 'x');
    assert.equal(taskOf(job, allocs[0]!), 'http');
    assert.throws(() => taskOf(job, allocs[0]!, 'db'), /job web has no task "db" in group web; its tasks: http/);
  });
});
