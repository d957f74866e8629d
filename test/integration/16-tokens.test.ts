/**
 * Deploy tokens as an operator hands them out: one namespace each, enough to deploy there and
 * nothing elsewhere, never a secret's value (only the job's own tasks read those), revocable.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NomadClient } from '../../src/nomad/client.js';
import { nomadConfig } from '../../src/nomad/config.js';
import { containerEnv, nom, pipeline } from '../helpers/pipeline.js';

const TAG = process.env.NOM_TEST_IMAGE_TAG!;
const admin = new NomadClient(nomadConfig(process.env));
const operator = { PATH: process.env.PATH!, NOMAD_ADDR: process.env.NOMAD_ADDR!, NOMAD_TOKEN: process.env.NOMAD_TOKEN!, NOM_NOMAD_CONFIG_FILE: '/nonexistent' };

/** Two teams, each with its namespace, its deploy token and a job with a secret. */
const teams = [
  { ns: 'nom-tok-a', job: 'nom-tok', value: 'value-of-team-a', token: '', accessor: '' },
  { ns: 'nom-tok-b', job: 'nom-tok-b', value: 'value-of-team-b', token: '', accessor: '' },
];
const clientOf = (token: string) => new NomadClient(nomadConfig({ NOMAD_ADDR: process.env.NOMAD_ADDR, NOMAD_TOKEN: token }));
const deployOf = (team: (typeof teams)[number], extra: Record<string, string> = {}) =>
  nom(['deploy'], pipeline(TAG, { NOMAD_TOKEN: team.token, NOMAD_VAR_NAMESPACE: team.ns, NOMAD_VAR_COUNT_CANARIES: '0', NOMAD_SECRET_KEY: team.value, ...extra }, 'main', team.job));

after(async () => {
  for (const t of teams) await admin.jobs.deregister(t.job, { namespace: t.ns, purge: true }).catch(() => undefined);
  admin.close();
});

describe('deploy tokens', () => {
  before(async () => {
    for (const team of teams) {
      const run = await nom(['token', 'create', '--namespace', team.ns], operator);
      assert.equal(run.code, 0, run.out);
      assert.match(run.out, new RegExp(`created the namespace ${team.ns}`));
      team.token = /^([0-9a-f-]{36})$/m.exec(run.out)?.[1] ?? assert.fail(run.out);
      team.accessor = /accessor ([0-9a-f-]{36})/.exec(run.out)![1]!;
    }
  });

  it('nom token list shows each token by accessor and policy, never its secret', async () => {
    const list = await nom(['token', 'list'], operator);
    for (const team of teams) {
      assert.match(list.out, new RegExp(`^${team.accessor}  nom CI deploys to ${team.ns}  deploy-${team.ns}`, 'm'));
      assert.ok(!list.out.includes(team.token), 'the list shows a secret');
    }
  });

  it('each deploys to its namespace, and its job reads the secret the token could only write', async () => {
    for (const team of teams) {
      const run = await deployOf(team);
      assert.equal(run.code, 0, run.out);
      assert.ok(!run.out.includes(team.value), 'the deploy printed the secret');
      const version = (await admin.jobs.read(team.job, team.ns))!.Version;
      assert.equal(await containerEnv(admin, team.job, version, 'KEY', team.ns), team.value);
    }
  });

  it('neither token reads a secret value, its own or the other\'s, nor touches the other\'s job (403 from Nomad)', async () => {
    const [a, b] = teams as [(typeof teams)[number], (typeof teams)[number]];
    for (const [self, other] of [[a, b], [b, a]] as const) {
      const scoped = clientOf(self.token);
      try {
        await assert.rejects(scoped.variables.read(`nomad/jobs/${self.job}`, self.ns), /403/, 'the token reads its own secrets');
        await assert.rejects(scoped.variables.read(`nomad/jobs/${other.job}`, other.ns), /403/, 'the token reads the other team\'s secrets');
        await assert.rejects(scoped.variables.read('nomad/jobs/nom-it', 'default'), /403/);
        // What nom keeps to compare secrets is a salted digest per name, never the value.
        const record = await scoped.variables.read(`nom/deploys/${self.job}/secrets`, self.ns);
        assert.deepEqual(Object.keys(record!.Items).sort(), ['digest_KEY', 'salt', 'slot']);
        assert.ok(!JSON.stringify(record).includes(self.value));
        await assert.rejects(scoped.variables.read(`nom/deploys/${other.job}/secrets`, other.ns), /403/);
        await assert.rejects(scoped.jobs.list({ namespace: other.ns }), /403/);
        await assert.rejects(scoped.jobs.deregister(other.job, { namespace: other.ns }), /403/);
        await assert.rejects(scoped.jobs.list({ namespace: 'default' }), /403/);
        // No operator endpoint: nodes, ACLs, namespaces' grants.
        await assert.rejects(scoped.nodes.list(), /403/);
        await assert.rejects(scoped.acl.tokens(), /403/);
        await assert.rejects(scoped.variables.write(`nom/grants/${self.ns}`, 'default', { trusted: 'true' }, 0), /403/);
      } finally {
        scoped.close();
      }
      assert.equal((await admin.jobs.read(other.job, other.ns))!.Status, 'running');
    }
  });

  it('the same secrets again write nothing and roll out nothing; a changed one goes to the other slot', async () => {
    const team = teams[0]!;
    const same = await deployOf(team);
    assert.equal(same.code, 0, same.out);
    assert.match(same.out, /no changes: version \d+ is deployed/);
    const changed = await deployOf(team, { NOMAD_SECRET_KEY: 'rotated-value' });
    assert.equal(changed.code, 0, changed.out);
    assert.match(changed.out, /secrets: change the value of KEY \(values are never shown\): written to slot b/);
    const version = (await admin.jobs.read(team.job, team.ns))!.Version;
    assert.equal(await containerEnv(admin, team.job, version, 'KEY', team.ns), 'rotated-value');
  });

  it('a namespace whose nodes lack its persistent directory is told how to give them one, and nothing is submitted', async () => {
    const team = teams[1]!;
    const before = (await admin.jobs.read(team.job, team.ns))!.Version;
    const run = await deployOf(team, { NOMAD_VAR_PERSISTENT_VOLUME: '/data' });
    assert.equal(run.code, 4, run.out);
    assert.match(run.out, /missing compatible host volumes; NOMAD_VAR_PERSISTENT_VOLUME needs the host volume pv-<namespace> on the nodes: `nom up --namespace <namespace>`/);
    assert.equal((await admin.jobs.read(team.job, team.ns))!.Version, before);
  });

  it('a revoked token deploys nothing', async () => {
    const team = teams[0]!;
    const revoke = await nom(['token', 'revoke', team.accessor], operator);
    assert.equal(revoke.code, 0, revoke.out);
    const run = await deployOf(team);
    assert.equal(run.code, 1, run.out);
    assert.match(run.out, /Nomad answered 403/);
  });
});
