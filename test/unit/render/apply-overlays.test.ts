import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NomadJob } from '../../../src/jobspec/nomad-job.js';
import { applyOverlays } from '../../../src/render/apply-overlays.js';

const house = { ID: 'acme-shop', Namespace: 'team-a', Meta: { nom_project: 'acme-shop', nom_branch: 'main' }, TaskGroups: [] } as unknown as NomadJob;
/** Nomad's parser, as far as these tests need it: it answers with `job`. */
const parsesTo = (job: Partial<NomadJob>) => async () => ({ TaskGroups: [], ...job }) as NomadJob;

describe('a project.nomad replaces the house job, within nom\'s decisions', () => {
  it('keeps the job ID and namespace nom decided, and nom\'s own meta', async () => {
    const job = await applyOverlays(house, { project: 'job "NOMAD_VAR_SLUG" {}' }, {}, parsesTo({ ID: 'acme-shop', Meta: { nom_project: 'forged', team: 'x' } }));
    assert.equal(job.Namespace, 'team-a');
    assert.deepEqual(job.Meta, { nom_project: 'acme-shop', team: 'x', nom_branch: 'main' });
  });

  it('refuses another job ID or namespace, saying what to write', async () => {
    await assert.rejects(applyOverlays(house, { project: '…' }, {}, parsesTo({ ID: 'someone-else' })), /project\.nomad: the job is "someone-else", but this deploy is the job acme-shop: name it "NOMAD_VAR_SLUG"/);
    await assert.rejects(applyOverlays(house, { project: '…' }, {}, parsesTo({ ID: 'acme-shop', Namespace: 'team-b' })), /project\.nomad: the job is in namespace "team-b", but this deploy goes to team-a/);
  });
});
