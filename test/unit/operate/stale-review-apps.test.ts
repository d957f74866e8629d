import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobListStub } from '../../../src/nomad/jobs.js';
import { staleReviewApps } from '../../../src/operate/stale-review-apps.js';
import { NOW, ns } from '../../helpers/nomad-fixtures.js';

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
