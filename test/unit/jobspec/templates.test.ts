import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readsSecrets, secretsGenerationOf, secretsTemplate, withSecretsGeneration } from '../../../src/jobspec/templates.js';
import type { NomadJob } from '../../../src/jobspec/nomad-job.js';
import type { Slug } from '../../../src/domain.js';

describe('the secrets template', () => {
  it('reads one generation of the job\'s variable, never a value', () => {
    const t = secretsTemplate('shop' as Slug, 'v3');
    assert.equal(
      t.EmbeddedTmpl,
      '{{ with nomadVar "nomad/jobs/shop" }}{{ range $k, $v := . }}{{ if $k | regexMatch "^v3_" }}{{ $k | regexReplaceAll "^v3_" "" }}={{ $v.Value | toJSON }}\n{{ end }}{{ end }}{{ end }}',
    );
    assert.deepEqual([t.DestPath, t.ChangeMode, t.Envvars], ['secrets/secrets.env', 'restart', true]);
  });

  it('a deploy stamps the generation it stored into the job and its meta', () => {
    const job = { ID: 'shop', Meta: { nom_project: 'p' }, TaskGroups: [{ Name: 'shop', Tasks: [{ Name: 'http', Templates: [{ DestPath: 'local/ci.env', EmbeddedTmpl: 'X=1' }, secretsTemplate('shop' as Slug)] }] }] } as unknown as NomadJob;
    assert.equal(readsSecrets(job), true);
    const stamped = withSecretsGeneration(job, 'v4');
    assert.equal(secretsGenerationOf(stamped), 'v4');
    assert.equal(stamped.Meta?.nom_project, 'p');
    assert.match(stamped.TaskGroups[0]!.Tasks[0]!.Templates![1]!.EmbeddedTmpl!, /regexMatch "\^v4_"/);
    assert.equal(stamped.TaskGroups[0]!.Tasks[0]!.Templates![0]!.EmbeddedTmpl, 'X=1');
  });
});
