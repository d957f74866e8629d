import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withGrantedVolumes, withProjectPersistentVolume } from '../../../src/jobspec/host-volumes.js';
import type { NomadJob } from '../../../src/jobspec/nomad-job.js';

const job = (config: Record<string, unknown>) =>
  ({ ID: 'shop', Namespace: 'team-a', TaskGroups: [{ Name: 'shop', Tasks: [{ Name: 'http', Driver: 'docker', Config: { image: 'x', ...config } }] }] }) as unknown as NomadJob;
const games = { name: 'games', path: '/usr/games', readOnly: false };

describe('the seed\'s VOLUMES and BIND_MOUNTS on nodes that mount no host path', () => {
  it('an entry of exactly a granted volume\'s directory mounts that volume; others stay', () => {
    const out = withGrantedVolumes(job({ volumes: ['/usr/games/:/g:ro', '/etc:/etc'] }), [games]);
    const group = out.TaskGroups[0]!;
    assert.deepEqual(group.Volumes, { games: { Name: 'games', Type: 'host', Source: 'games', ReadOnly: true } });
    assert.deepEqual(group.Tasks[0]!.VolumeMounts, [{ Volume: 'games', Destination: '/g', ReadOnly: true }]);
    assert.deepEqual(group.Tasks[0]!.Config.volumes, ['/etc:/etc'], 'not granted: left for the rules to refuse');
  });

  it('bind mounts too; a read-only grant mounts read-only; read-write anywhere makes the group\'s volume read-write', () => {
    const out = withGrantedVolumes(job({ mount: [{ type: 'bind', source: '/usr/games', target: '/a' }, { type: 'bind', source: '/usr/games', target: '/b', readonly: true }] }), [games]);
    const group = out.TaskGroups[0]!;
    assert.equal(group.Volumes!.games!.ReadOnly, false);
    assert.deepEqual(group.Tasks[0]!.VolumeMounts!.map((m) => [m.Destination, m.ReadOnly]), [['/a', false], ['/b', true]]);
    assert.equal(group.Tasks[0]!.Config.mount, undefined);
    const ro = withGrantedVolumes(job({ volumes: ['/usr/games:/g'] }), [{ ...games, readOnly: true }]);
    assert.deepEqual(ro.TaskGroups[0]!.Tasks[0]!.VolumeMounts, [{ Volume: 'games', Destination: '/g', ReadOnly: true }]);
  });

  it('nothing granted, nothing changed; a directory below a volume is not that volume', () => {
    const j = job({ volumes: ['/usr/games/x:/x'] });
    assert.equal(withGrantedVolumes(j, []), j);
    assert.deepEqual(withGrantedVolumes(j, [games]).TaskGroups[0]!.Tasks[0]!.Config.volumes, ['/usr/games/x:/x']);
  });
});

describe('a trusted namespace keeps the seed\'s persistent directory', () => {
  it('PERSISTENT_VOLUME becomes /pv/<project> through docker, beside the other volumes', () => {
    const j = {
      ID: 'shop', Namespace: 'team-a',
      TaskGroups: [{
        Name: 'shop', Volumes: { pv: { Name: 'pv', Type: 'host', Source: 'pv-team-a', ReadOnly: false } },
        Tasks: [{ Name: 'http', Driver: 'docker', Config: { image: 'x', volumes: ['/usr/games:/g'] }, VolumeMounts: [{ Volume: 'pv', Destination: '/data', ReadOnly: false }] }],
      }],
    } as unknown as NomadJob;
    const out = withProjectPersistentVolume(j, 'acme-shop').TaskGroups[0]!;
    assert.equal(out.Volumes, undefined);
    assert.equal(out.Tasks[0]!.VolumeMounts, undefined);
    assert.deepEqual(out.Tasks[0]!.Config.volumes, ['/usr/games:/g', '/pv/acme-shop:/data']);
    assert.equal(withProjectPersistentVolume(job({}), 'acme-shop').TaskGroups[0]!.Tasks[0]!.Config.volumes, undefined, 'no PERSISTENT_VOLUME, nothing added');
  });
});
