import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkoutJobName } from '../../src/local/local-git.js';
import { CommandError } from '../../src/errors.js';
import type { CheckResult } from '../../src/nomad/allocations.js';
import type { Deployment } from '../../src/nomad/deployments.js';
import type { AllocationListStub, JobListStub, RegisteredJob } from '../../src/nomad/jobs.js';
import type { NodeListStub } from '../../src/nomad/nodes.js';
import { routedUrls, urlLines } from '../../src/operate/cluster-urls.js';
import { jobStatus, statusLines } from '../../src/operate/job-status.js';
import { LinePrefixer, lastLines } from '../../src/operate/log-text.js';
import { nodeLines, nodeRow } from '../../src/operate/node-overview.js';
import { runningAllocations, taskOf } from '../../src/operate/pick-allocation.js';
import { staleReviewApps } from '../../src/operate/stale-review-apps.js';
import { ago, table } from '../../src/operate/terminal-text.js';
import { historyLines, rollbackTarget, versionRows } from '../../src/operate/versions.js';
import { routingTable, type ServiceInstance } from '../../src/router/routing-table.js';

const NOW = Date.parse('2026-11-25T12:00:00Z');
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

const check = (status: CheckResult['Status']): CheckResult => ({ ID: 'c', Check: 'http', Group: 'web', Mode: 'healthiness', Output: '', Service: 'web', Status: status, StatusCode: 200, Timestamp: 0 });

describe('the job of a checkout', () => {
  it('is the project path from the remote plus the branch, as nom deploy names it', () => {
    assert.equal(checkoutJobName({ remoteUrl: 'git@gitlab.com:Group/Sub/My_App.git', dirName: 'x', subdir: '', branch: 'feature/New_Thing' }, false), 'group-sub-my-app-feature-new-thing');
    assert.equal(checkoutJobName({ remoteUrl: 'https://github.com/Example-Org/My.Site', dirName: 'x', subdir: '', branch: 'fix-1' }, false), 'example-org-my-site-fix-1');
  });

  it('main-like branches, or any with CI_MAIN_STYLE, are the project alone', () => {
    for (const branch of ['main', 'master', 'production', 'staging']) {
      assert.equal(checkoutJobName({ remoteUrl: 'https://gitlab.com/group/app', dirName: 'x', subdir: '', branch }, false), 'group-app');
    }
    assert.equal(checkoutJobName({ remoteUrl: 'https://gitlab.com/group/app', dirName: 'x', subdir: '', branch: 'dev' }, true), 'group-app');
  });

  it('a monorepo app in a subdirectory adds its path; the name is cut to 63', () => {
    assert.equal(checkoutJobName({ remoteUrl: 'https://gitlab.com/group/mono', dirName: 'x', subdir: 'apps/api', branch: 'main' }, false), 'group-mono-apps-api');
    const long = checkoutJobName({ remoteUrl: `https://gitlab.com/group/${'a'.repeat(50)}`, dirName: 'x', subdir: '', branch: 'feature-with-a-long-name' }, false);
    assert.equal(long.length, 63);
  });
});

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

describe('log text', () => {
  it('keeps the last lines, and the final newline', () => {
    assert.equal(lastLines('a\nb\nc\n', 2), 'b\nc\n');
    assert.equal(lastLines('a\nb\nc', 2), 'b\nc');
    assert.equal(lastLines('a\nb\n', 0), 'a\nb\n');
  });

  it('prefixes whole lines only, holding a line that arrives in pieces', () => {
    const p = new LinePrefixer('[1a2b] ');
    assert.equal(p.push('GET / 2'), '');
    assert.equal(p.push('00\nGET /x 404\npart'), '[1a2b] GET / 200\n[1a2b] GET /x 404\n');
    assert.equal(p.flush(), '[1a2b] part\n');
  });
});

describe('history and rollback', () => {
  const versions = [webJob(0, 'web:a'), webJob(1, 'web:b'), webJob(2, 'web:c', { Stable: false }), webJob(3, 'web:b')];

  it('lists versions newest first with their image and commit', () => {
    const rows = versionRows(versions, 3);
    assert.deepEqual(rows.map((r) => [r.version, r.current, r.stable, r.images]), [[3, true, true, ['web:b']], [2, false, false, ['web:c']], [1, false, true, ['web:b']], [0, false, true, ['web:a']]]);
    assert.match(historyLines(rows, { now: NOW })[1]!, /^3 \(current\)\s+57m ago\s+yes\s+web:b\s+commit300000$/);
  });

  it('goes back to the newest earlier stable version that runs something else', () => {
    assert.equal(rollbackTarget(versions.slice(0, 2), { ID: 'web', Version: 1 }).Version, 0);
    // Version 3 is Nomad's automatic revert of the failed 2 to 1: back from 3 is 0, not 1 again.
    const again = versions.map((v) => (v.Version === 3 ? { ...v, Meta: versions[1]!.Meta } : v));
    assert.equal(rollbackTarget(again, { ID: 'web', Version: 3 }).Version, 0);
  });

  it('takes a version asked for, and says so when there is none to go to', () => {
    assert.equal(rollbackTarget(versions, { ID: 'web', Version: 3 }, 2).Version, 2);
    assert.throws(() => rollbackTarget(versions, { ID: 'web', Version: 3 }, 7), /job web has no version 7; it keeps 0, 1, 2, 3/);
    assert.throws(() => rollbackTarget(versions, { ID: 'web', Version: 3 }, 3), /version 3 is the current version of web/);
    assert.throws(() => rollbackTarget([versions[0]!], { ID: 'web', Version: 0 }), /no earlier stable version/);
  });
});

describe('the cluster overview', () => {
  it('lists routed URLs with healthy and registered instances, and refused claims', () => {
    const inst = (o: Partial<ServiceInstance>): ServiceInstance => ({ namespace: 'default', jobId: 'web', serviceName: 'web', allocId: 'a', address: '10.0.0.1', port: 1, tags: ['https://web.example.com'], createIndex: 1, ...o });
    const instances = [inst({}), inst({ allocId: 'b', port: 2 }), inst({ jobId: 'evil', allocId: 'e', createIndex: 9 })];
    const table = routingTable({ jobs: [], instances, healthy: (id) => id !== 'b' });
    assert.deepEqual(routedUrls(table, instances), [{ url: 'https://web.example.com', job: 'default/web', healthy: 1, instances: 2, refused: ['default/evil'] }]);
    assert.match(urlLines(routedUrls(table, instances))[1]!, /^https:\/\/web\.example\.com\s+default\/web\s+1\/2 \(refused: default\/evil\)$/);
  });

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

describe('nom cleanup', () => {
  const stub = (id: string, env: string | undefined, lastDeployed: string, over: Partial<JobListStub> = {}): JobListStub => ({
    ID: id, Name: id, Namespace: 'default', Status: 'running', Type: 'service', SubmitTime: ns(lastDeployed), Stop: false, CreateIndex: 1, ModifyIndex: 1, JobModifyIndex: 1,
    Meta: env ? { nom_environment: env, nom_branch: id } : null, ...over,
  });
  const jobs = [
    stub('app-old-branch', 'review', '2026-10-01T00:00:00Z'),
    stub('app-new-branch', 'review', '2026-11-20T00:00:00Z'),
    stub('app', 'main', '2026-01-01T00:00:00Z'),
    stub('app-prod', 'production', '2026-01-01T00:00:00Z'),
    stub('app-staging', 'staging', '2026-01-01T00:00:00Z'),
    stub('not-ours', undefined, '2026-01-01T00:00:00Z'),
    stub('app-stopped-branch', 'review', '2026-09-01T00:00:00Z', { Stop: true }),
  ];

  it('picks only review apps not deployed for that long, never a main-like, production or foreign job', () => {
    assert.deepEqual(staleReviewApps(jobs, NOW, 30 * 86_400_000).map((a) => a.id), ['app-old-branch']);
    assert.deepEqual(staleReviewApps(jobs, NOW, 86_400_000).map((a) => a.id), ['app-old-branch', 'app-new-branch']);
  });
});

describe('terminal text', () => {
  it('pads columns to the widest cell and trims the end', () => {
    assert.deepEqual(table(['A', 'BB'], [['xxx', 'y'], ['z', '']]), ['A    BB', 'xxx  y', 'z']);
  });

  it('says ages in the largest unit that fits', () => {
    assert.deepEqual([ago(5_000), ago(119_000), ago(600_000), ago(3 * 3600_000), ago(5 * 86_400_000)], ['5s', '119s', '10m', '3h', '5d']);
  });
});
