import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../../src/errors.js';
import type { NomadJob } from '../../../src/jobspec/nomad-job.js';
import { checkDrivers, declaredVariables, mergeOverlay, overlayParseRequest } from '../../../src/jobspec/overlays.js';
import { renderJob } from '../../../src/render/render-job.js';
import { gitlab } from '../../helpers/env-fixtures.js';

function house(env = gitlab()): NomadJob {
  const r = renderJob(env, { renderId: 'x' });
  assert.equal(r.noDeploy, false);
  return r.job;
}

describe('overlays', () => {
  it('wraps job.nomad and group.nomad in the house job\'s names, declaring the variables we give', () => {
    const req = overlayParseRequest({ vars: 'variable "PG_PASSWORD" {\n  type = string\n}\n', job: 'meta {\n  team = "a"\n}', group: 'task "NOMAD_VAR_SLUG-db" {}' }, 'my-app', {
      PG_PASSWORD: 'p${w}d',
      CI_PROJECT_PATH_SLUG: 'org-app',
    });
    assert.match(req.hcl, /job "my-app" \{\nmeta \{\n  team = "a"\n\}\n  group "my-app" \{\ntask "my-app-db" \{\}/);
    assert.match(req.hcl, /variable "CI_PROJECT_PATH_SLUG" \{\n  type    = string/);
    assert.doesNotMatch(req.hcl, /variable "PG_PASSWORD" \{\n  type    = string\n  default = ""/, 'declared in vars.nomad: not again');
    assert.equal(req.variables, 'PG_PASSWORD = "p$${w}d"\nCI_PROJECT_PATH_SLUG = "org-app"', 'HCL interpolation escaped');
  });

  it('gives project.nomad only the variables it declares, typed ones as written', () => {
    const req = overlayParseRequest({ project: 'variable "HOSTNAMES" {\n  type = list(string)\n}\nvariable "SLUG" {}\njob "NOMAD_VAR_SLUG" {}' }, 'my-app', {
      HOSTNAMES: '["a.example.com"]',
      SLUG: 'my-app',
      OTHER: 'x',
    });
    assert.match(req.hcl, /job "my-app" \{\}/);
    assert.equal(req.variables, 'HOSTNAMES = ["a.example.com"]\nSLUG = "my-app"');
  });

  it('reads variable declarations and their types', () => {
    assert.deepEqual([...declaredVariables('variable "A" {\n type = number\n}\nvariable "B" {}')], [['A', 'number'], ['B', 'string']]);
  });

  it('merges job fields, appends tasks to the house group, and adds other groups', () => {
    const job = house();
    const overlay = {
      ID: job.ID, Name: job.ID, Meta: { team: 'a' }, Priority: 70,
      TaskGroups: [{ Name: job.ID, Tasks: [{ Name: 'db', Driver: 'docker', Config: { image: 'pg:16' } }] }, { Name: 'worker', Tasks: [{ Name: 'w', Driver: 'docker' }] }],
    } as unknown as NomadJob;
    const merged = mergeOverlay(job, overlay);
    assert.equal(merged.Meta.team, 'a');
    assert.equal(merged.Meta.nom_project, 'example-org-my-site');
    assert.equal((merged as unknown as { Priority: number }).Priority, 70);
    assert.deepEqual(merged.TaskGroups[0]!.Tasks.map((t) => t.Name), ['http', 'db']);
    assert.deepEqual(merged.TaskGroups.map((g) => g.Name), [job.ID, 'worker']);
    assert.equal(job.TaskGroups[0]!.Tasks.length, 1, 'the house job is not changed');
  });

  it('a batch type from job.nomad drops the service-only blocks', () => {
    const merged = mergeOverlay(house(), { Type: 'batch', TaskGroups: [] } as unknown as NomadJob);
    assert.equal(merged.TaskGroups[0]!.Update, undefined);
    assert.equal(merged.TaskGroups[0]!.Services, undefined);
  });

  it('refuses drivers other than docker and podman, naming the file and task', () => {
    const job = mergeOverlay(house(), { TaskGroups: [{ Name: house().ID, Tasks: [{ Name: 'evil', Driver: 'raw_exec' }] }] } as unknown as NomadJob);
    assert.throws(() => checkDrivers(job, 'group.nomad'), (e: InputError) => /^group\.nomad: task "evil" in group "example-org-my-site-feature-x" uses the raw_exec driver/.test(e.message));
    assert.doesNotThrow(() => checkDrivers(house(), 'group.nomad'));
  });
});
