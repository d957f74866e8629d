import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerProblems, describeGrants, grantsFromItems, grantsToItems, NO_GRANTS, type NamespaceGrants } from '../../../src/jobspec/container-rules.js';
import type { NomadJob } from '../../../src/jobspec/nomad-job.js';

const job = (config: Record<string, unknown>, group: Record<string, unknown> = {}) =>
  ({ ID: 'shop', Namespace: 'team-a', TaskGroups: [{ Name: 'shop', Networks: [], Tasks: [{ Name: 'http', Driver: 'docker', Config: { image: 'x', ...config } }], ...group }] }) as unknown as NomadJob;
const lines = (j: NomadJob, grants: NamespaceGrants = NO_GRANTS) => containerProblems(j, grants, (_t, field) => `<${field}>`).map((p) => p.line);

describe('what a namespace\'s containers may use', () => {
  it('by default: the namespace\'s own persistent directory and the allocation\'s own files, nothing else', () => {
    const pv = { Volumes: { pv: { Name: 'pv', Type: 'host', Source: 'pv-team-a', ReadOnly: false } } };
    assert.deepEqual(lines(job({ mount: [{ type: 'tmpfs', target: '/tmp' }] }, pv)), []);
    const other = { Volumes: { pv: { Name: 'pv', Type: 'host', Source: 'pv-team-b', ReadOnly: false } } };
    assert.match(lines(job({}, other))[0]!, /group "shop" mounts the host volume pv-team-b: not granted to namespace team-a/);
  });

  it('refuses host paths, the Docker socket and /pv directly, naming where each came from', () => {
    assert.deepEqual(lines(job({ volumes: ['/:/host', '/var/run/docker.sock:/var/run/docker.sock', '/pv/other-project:/data', '/pv/team-a/../other:/x'] })), [
      '<volumes>: the host path / is not granted to namespace team-a (task "http"): an operator grants host paths with `nom grants team-a --host-path <dir>`',
      '<volumes>: the host path /var/run/docker.sock is not granted to namespace team-a (task "http"): an operator grants host paths with `nom grants team-a --host-path <dir>`',
      '<volumes>: the host path /pv/other-project is not granted to namespace team-a (task "http"): an operator grants host paths with `nom grants team-a --host-path <dir>`',
      '<volumes>: the host path /pv/team-a/../other is not granted to namespace team-a (task "http"): an operator grants host paths with `nom grants team-a --host-path <dir>`',
    ]);
    assert.match(lines(job({ mount: [{ type: 'bind', source: '/etc/nomad.d', target: '/n' }] }))[0]!, /^<mount>: the host path \/etc\/nomad\.d is not granted/);
  });

  it('refuses sources in the allocation\'s directory: the container could make them links to the node\'s files', () => {
    for (const j of [job({ volumes: ['local/evil:/host'] }), job({ volumes: ['shared:/data'] }), job({ mount: [{ type: 'bind', source: '../alloc/x', target: '/x' }] })]) {
      assert.match(lines(j)[0]!, /mounts "[^"]+" from its allocation directory, where the container can put a link to any path on the node: not allowed/);
    }
    assert.match(lines(job({ mount: [{ type: 'volume', source: 'shared', target: '/x' }] }))[0]!, /mounts a volume "shared": only bind mounts of granted host paths are allowed/);
  });

  it('never: privileged, capabilities, the host\'s PID, IPC, UTS or user namespaces, devices, security options', () => {
    const refused = lines(job({ privileged: true, cap_add: ['ALL'], pid_mode: 'host', ipc_mode: 'host', uts_mode: 'host', userns_mode: 'host', devices: [{ host_path: '/dev/sda' }], security_opt: ['apparmor=unconfined'] }));
    assert.deepEqual(refused.map((l) => /sets (\w+)/.exec(l)![1]), ['privileged', 'cap_add', 'pid_mode', 'ipc_mode', 'uts_mode', 'userns_mode', 'devices', 'security_opt']);
    assert.deepEqual(lines(job({ privileged: false, cap_add: [] })), [], 'an option set to its default is no request');
  });

  it('the node\'s network and /home only when granted', () => {
    assert.match(lines(job({ network_mode: 'host' }))[0]!, /^<network_mode>: task "http" asks for the node's network: not granted to namespace team-a \(`nom grants team-a --host-network`\)$/);
    assert.deepEqual(lines(job({ network_mode: 'host' }), { ...NO_GRANTS, hostNetwork: true }), []);
    assert.match(lines(job({ network_mode: 'container:other' }))[0]!, /network mode container:other: not allowed/);
    const home = job({}, { Volumes: { 'home-rw': { Name: 'home-rw', Type: 'host', Source: 'home-rw', ReadOnly: false } } });
    assert.match(lines(home)[0]!, /mounts the host volume home-rw: not granted to namespace team-a \(`nom grants team-a --home rw`\)/);
    assert.deepEqual(lines(home, { ...NO_GRANTS, home: 'rw' }), []);
    assert.equal(lines(home, { ...NO_GRANTS, home: 'ro' }).length, 1, 'read-only /home does not grant read-write');
  });

  it('granted host paths allow everything below them, and trusted allows everything', () => {
    const grants = { ...NO_GRANTS, hostPaths: ['/usr/games'] };
    assert.deepEqual(lines(job({ volumes: ['/usr/games:/g:ro', '/usr/games/x:/x'] }), grants), []);
    assert.equal(lines(job({ volumes: ['/usr/gamesX:/g'] }), grants).length, 1);
    assert.deepEqual(lines(job({ privileged: true, volumes: ['/:/host'] }), { ...NO_GRANTS, trusted: true }), []);
  });

  it('a granted host volume may be mounted, read-only when granted so', () => {
    const games = (readOnly: boolean) => job({}, { Volumes: { games: { Name: 'games', Type: 'host', Source: 'games', ReadOnly: readOnly } } });
    assert.match(lines(games(true))[0]!, /mounts the host volume games: not granted to namespace team-a/);
    const grants = { ...NO_GRANTS, hostVolumes: [{ name: 'games', path: '/usr/games', readOnly: true }] };
    assert.deepEqual(lines(games(true), grants), []);
    assert.match(lines(games(false), grants)[0]!, /mounts the host volume games read-write: namespace team-a is granted it read-only/);
  });

  it('grants are kept as a variable\'s items and told in words', () => {
    const g: NamespaceGrants = { trusted: false, hostNetwork: true, hostPaths: ['/usr/games', '/srv/shared'], home: 'ro', hostVolumes: [{ name: 'games', path: '/usr/games', readOnly: true }, { name: 'data', path: '/srv/data', readOnly: false }] };
    assert.deepEqual(grantsFromItems(grantsToItems(g)), g);
    assert.deepEqual(grantsFromItems(undefined), NO_GRANTS);
    assert.equal(describeGrants(g), 'the node\'s network; host paths /usr/games, /srv/shared; /home read-only; host volumes games (/usr/games, read-only), data (/srv/data)');
    assert.equal(describeGrants(NO_GRANTS), 'nothing beyond the namespace\'s own /pv/<namespace>');
  });
});
