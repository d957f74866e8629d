/**
 * Deploy tokens as an operator hands them out: one namespace each, enough to deploy there and
 * nothing elsewhere, revocable.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { NomadClient } from '../../src/nomad/client.js';
import { nomadConfig } from '../../src/nomad/config.js';
import { nom, pipeline } from '../helpers/pipeline.js';

const TAG = process.env.NOM_TEST_IMAGE_TAG!;
const NS = 'nom-tok-a';
const admin = new NomadClient(nomadConfig(process.env));
const operator = { PATH: process.env.PATH!, NOMAD_ADDR: process.env.NOMAD_ADDR!, NOMAD_TOKEN: process.env.NOMAD_TOKEN!, NOM_NOMAD_CONFIG_FILE: '/nonexistent' };
after(async () => {
  await admin.jobs.deregister('nom-tok', { namespace: NS, purge: true }).catch(() => undefined);
  admin.close();
});

describe('deploy tokens', () => {
  let secret = '';
  let accessor = '';

  it('nom token create makes the namespace and a token for it, printing the secret once', async () => {
    const run = await nom(['token', 'create', '--namespace', NS], operator);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, new RegExp(`created the namespace ${NS}`));
    secret = /^([0-9a-f-]{36})$/m.exec(run.out)?.[1] ?? assert.fail(run.out);
    accessor = /accessor ([0-9a-f-]{36})/.exec(run.out)![1]!;
    const list = await nom(['token', 'list'], operator);
    assert.match(list.out, new RegExp(`^${accessor}  nom CI deploys to ${NS}  deploy-${NS}`, 'm'));
    assert.ok(!list.out.includes(secret), 'the list shows a secret');
  });

  it('deploys to its namespace, and cannot read a job or a secret in another', async () => {
    const run = await nom(['deploy'], pipeline(TAG, { NOMAD_TOKEN: secret, NOMAD_VAR_NAMESPACE: NS, NOMAD_VAR_COUNT_CANARIES: '0', NOMAD_SECRET_KEY: 'k' }, 'main', 'nom-tok'));
    assert.equal(run.code, 0, run.out);
    const scoped = new NomadClient(nomadConfig({ NOMAD_ADDR: process.env.NOMAD_ADDR, NOMAD_TOKEN: secret }));
    try {
      await assert.rejects(scoped.jobs.list({ namespace: 'default' }), /403/);
      await assert.rejects(scoped.variables.read('nomad/jobs/nom-it', 'default'), /403/);
      await assert.rejects(scoped.jobs.deregister('nom-tok', { namespace: 'default' }), /403/);
    } finally {
      scoped.close();
    }
  });

  it('a revoked token deploys nothing', async () => {
    const revoke = await nom(['token', 'revoke', accessor], operator);
    assert.equal(revoke.code, 0, revoke.out);
    const run = await nom(['deploy'], pipeline(TAG, { NOMAD_TOKEN: secret, NOMAD_VAR_NAMESPACE: NS }, 'main', 'nom-tok'));
    assert.equal(run.code, 1, run.out);
    assert.match(run.out, /Nomad answered 403/);
  });
});
