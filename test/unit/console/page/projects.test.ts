import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AllocationRow, type DeploymentRow, type JobRow, applyEvents, initialState, withoutJob } from '../../../../src/console/page/cluster-state.js';
import { projectsOf } from '../../../../src/console/page/projects.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const DAY = 24 * 3600 * 1000;
const job = (id: string, meta: Record<string, string> | null, over: Partial<JobRow> = {}): JobRow => ({
  ID: id, Namespace: 'default', Type: 'service', Status: 'running', Stop: false, SubmitTime: (NOW - DAY) * 1e6, Meta: meta, ...over,
});
const nomMeta = (project: string, branch: string, environment: string) => ({ nom_project: project, nom_branch: branch, nom_commit: 'a1b2c3d4e5f6', nom_environment: environment });
const alloc = (id: string, jobId: string, over: Partial<AllocationRow> = {}): AllocationRow => ({
  ID: id, Namespace: 'default', JobID: jobId, JobVersion: 3, TaskGroup: 'web', NodeID: 'n1', ClientStatus: 'running', DesiredStatus: 'run',
  DeploymentStatus: { Healthy: true }, TaskStates: { web: { State: 'running', Failed: false, Restarts: 0 } }, CreateTime: (NOW - DAY) * 1e6, ModifyTime: 0, ...over,
});
const deployment = (jobId: string, over: Partial<DeploymentRow> = {}): DeploymentRow => ({
  ID: `d-${jobId}`, Namespace: 'default', JobID: jobId, JobVersion: 3, Status: 'successful', StatusDescription: 'Deployment completed successfully', CreateIndex: 10,
  TaskGroups: { web: { DesiredTotal: 2, DesiredCanaries: 0, HealthyAllocs: 2, UnhealthyAllocs: 0, Promoted: false } }, ...over,
});

describe('the console\'s overview', () => {
  const state = initialState(
    [
      job('shop', nomMeta('acme-shop', 'main', 'main')),
      job('feature-x-shop', nomMeta('acme-shop', 'feature-x', 'review'), { SubmitTime: (NOW - 20 * DAY) * 1e6 }),
      job('shop-prod', nomMeta('acme-shop', 'main', 'production')),
      job('handmade', null),
    ],
    [deployment('shop'), deployment('shop', { ID: 'old', JobVersion: 2, CreateIndex: 5, Status: 'failed' }), deployment('feature-x-shop', { Status: 'failed', StatusDescription: 'Failed due to unhealthy allocations' })],
    [alloc('a1', 'shop'), alloc('a2', 'shop'), alloc('a3', 'feature-x-shop', { DeploymentStatus: { Healthy: false } }), alloc('a4', 'shop-prod')],
    100,
  );
  const routes = [{ host: 'shop.example.com', scheme: 'https' as const, owner: 'default/shop', instances: 2 }];
  const projects = projectsOf(state, routes, NOW, 14 * DAY);

  it('groups jobs by the project nom recorded, production first, then main and review apps; jobs nom did not deploy by namespace', () => {
    assert.deepEqual(projects.map((p) => p.name), ['acme-shop', 'default (not deployed by nom)']);
    assert.deepEqual(projects[0]!.environments.map((e) => e.id), ['shop-prod', 'shop', 'feature-x-shop']);
  });

  it('gives each its URLs, health of desired, version and commit from the newest deployment', () => {
    const main = projects[0]!.environments[1]!;
    assert.deepEqual(main.urls, [{ url: 'https://shop.example.com', instances: 2 }]);
    assert.equal(main.health, 'healthy');
    assert.equal(main.healthy, 2);
    assert.equal(main.desired, 2);
    assert.equal(main.version, 3);
    assert.equal(main.commit, 'a1b2c3d4e5f6');
  });

  it('links the CI run and the commit when the pipeline recorded them, and never a link of another scheme', () => {
    const withRun = initialState([job('shop', { ...nomMeta('acme-shop', 'main', 'main'), nom_run_url: 'https://ci.example.com/jobs/7', nom_commit_url: 'javascript:alert(1)', nom_user: 'ada' })], [], [], 0);
    const [env] = projectsOf(withRun, [], NOW, DAY)[0]!.environments;
    assert.equal(env!.runUrl, 'https://ci.example.com/jobs/7');
    assert.equal(env!.commitUrl, undefined);
    assert.equal(env!.user, 'ada');
  });

  it('says why a review app fails, and marks it stale past the threshold', () => {
    const review = projects[0]!.environments[2]!;
    assert.equal(review.health, 'failing');
    assert.equal(review.problem, 'Failed due to unhealthy allocations');
    assert.equal(review.stale, true);
    assert.equal(projects[0]!.environments[1]!.stale, false, 'main is never stale');
  });

  it('shows an app asleep (not dead) while the router keeps it asleep, and the last request the router saw', () => {
    const sleeping = initialState([job('feature-y-shop', nomMeta('acme-shop', 'feature-y', 'review'), { Status: 'dead' })], [deployment('feature-y-shop')], [], 100);
    const sleep = [{ job: 'default/feature-y-shop', asleep: true, lastRequest: '2026-12-01T11:00:00Z', sleepsAfter: '3600s' }];
    const env = projectsOf(sleeping, [], NOW, 14 * DAY, sleep)[0]!.environments[0]!;
    assert.equal(env.health, 'asleep');
    assert.equal(env.lastRequest, Date.parse('2026-12-01T11:00:00Z'));
    // Without the router's word it is what Nomad says.
    assert.equal(projectsOf(sleeping, [], NOW, 14 * DAY)[0]!.environments[0]!.health, 'dead');
  });

  it('follows events: a new version, a stopped job, a purged one', () => {
    const next = applyEvents(state, [
      { Topic: 'Job', Type: 'JobRegistered', Key: 'shop', Namespace: 'default', Index: 101, Payload: { Job: { ...job('shop', nomMeta('acme-shop', 'main', 'main')), Version: 4 } } },
      { Topic: 'Deployment', Type: 'DeploymentStatusUpdate', Key: 'd4', Namespace: 'default', Index: 102, Payload: { Deployment: deployment('shop', { ID: 'd4', JobVersion: 4, Status: 'running', CreateIndex: 101 }) } },
      { Topic: 'Job', Type: 'JobDeregistered', Key: 'shop-prod', Namespace: 'default', Index: 103, Payload: { Job: { ...job('shop-prod', null), Stop: true } } },
      { Topic: 'Job', Type: 'JobDeregistered', Key: 'feature-x-shop', Namespace: 'default', Index: 104, Payload: { Job: job('feature-x-shop', null) } },
    ]);
    assert.equal(next.index, 104);
    const envs = projectsOf(next, routes, NOW, 14 * DAY).flatMap((p) => p.environments);
    const main = envs.find((e) => e.id === 'shop')!;
    assert.equal(main.version, 4);
    assert.equal(main.health, 'deploying');
    assert.equal(envs.find((e) => e.id === 'shop-prod')?.health, 'stopped');
    // A purge reads as a stop, until Nomad says it no longer has the job.
    assert.equal(envs.find((e) => e.id === 'feature-x-shop')?.health, 'stopped');
    const purged = withoutJob(next, 'default/feature-x-shop');
    assert.equal(purged.jobs.has('default/feature-x-shop'), false);
    assert.ok(![...purged.allocations.values()].some((a) => a.JobID === 'feature-x-shop'), 'a purged job\'s allocations stay');
    assert.equal(state.jobs.get('default/shop')?.Version, undefined, 'the earlier state changed');
  });

  it('keeps of a Job event only what the page shows, not the whole spec', () => {
    const next = applyEvents(state, [{ Topic: 'Job', Type: 'JobRegistered', Key: 'shop', Namespace: 'default', Index: 101, Payload: { Job: { ...job('shop', null), TaskGroups: [{ Tasks: [{ Env: { X: 'y' } }] }] } as unknown as JobRow } }]);
    assert.ok(!JSON.stringify(next.jobs.get('default/shop')).includes('TaskGroups'));
  });
});
