import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planSummary } from '../../../src/deploy/plan-summary.js';
import type { JobPlanResponse } from '../../../src/nomad/jobs.js';

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
