import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readsSecrets, secretsPath, secretsPaths, secretsSlotOf, secretsTemplate, withSecretsSlot } from '../../../src/jobspec/templates.js';
import type { NomadJob } from '../../../src/jobspec/nomad-job.js';

describe('the secrets template', () => {
  it('reads one variable, never a value', () => {
    const t = secretsTemplate('nomad/jobs/shop');
    assert.equal(t.EmbeddedTmpl, '{{ with nomadVar "nomad/jobs/shop" }}{{ range $k, $v := . }}{{ $k }}={{ $v.Value | toJSON }}\n{{ end }}{{ end }}');
    assert.deepEqual([t.DestPath, t.ChangeMode, t.Envvars], ['secrets/secrets.env', 'restart', true]);
  });

  it('slot a is the job\'s variable, slot b the task\'s: both are paths its tasks read by default', () => {
    assert.equal(secretsPath('shop'), 'nomad/jobs/shop');
    assert.equal(secretsPath('shop', 'b', 'web', 'app'), 'nomad/jobs/shop/web/app');
  });

  it('a deploy stamps the slot it wrote into the job and its meta', () => {
    const job = { ID: 'shop', Meta: { nom_project: 'p' }, TaskGroups: [{ Name: 'shop', Tasks: [{ Name: 'http', Templates: [{ DestPath: 'local/ci.env', EmbeddedTmpl: 'X=1' }, secretsTemplate(secretsPath('shop'))] }] }] } as unknown as NomadJob;
    assert.equal(readsSecrets(job), true);
    assert.equal(secretsSlotOf(job), 'a');
    const stamped = withSecretsSlot(job, 'b');
    assert.equal(secretsSlotOf(stamped), 'b');
    assert.equal(stamped.Meta?.nom_project, 'p');
    assert.deepEqual(secretsPaths(stamped, 'b'), ['nomad/jobs/shop/shop/http']);
    assert.match(stamped.TaskGroups[0]!.Tasks[0]!.Templates![1]!.EmbeddedTmpl!, /nomadVar "nomad\/jobs\/shop\/shop\/http"/);
    assert.equal(stamped.TaskGroups[0]!.Tasks[0]!.Templates![0]!.EmbeddedTmpl, 'X=1');
  });

  it('versions of older releases (generations v<N>) read slot a', () => {
    assert.equal(secretsSlotOf({ Meta: { nom_secrets: 'v3' } }), 'a');
    assert.equal(secretsSlotOf({ Meta: null }), 'a');
  });
});
