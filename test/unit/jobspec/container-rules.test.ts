import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerProblems, describeGrants, grantsFromItems, grantsToItems, NO_GRANTS, type NamespaceGrants } from '../../../src/jobspec/container-rules.js';
import type { NomadJob } from '../../../src/jobspec/nomad-job.js';

const job = (config: Record<string, unknown>, group: Record<string, unknown> = {}) =>
  ({ ID: 'shop', Namespace: 'team-a', TaskGroups: [{ Name: 'shop', Networks: [], Tasks: [{ Name: 'http', Driver: 'docker', Config: { image: 'x', ...config } }], ...group }] }) as unknown as NomadJob;
const lines = (j: NomadJob, grants: NamespaceGrants = NO_GRANTS) => containerProblems(j, grants, 'acme-shop', (_t, field) => `<${field}>`).map((p) => p.line);

describe('what a namespace\'s containers may use', () => {
  it('by default: the project\'s own /pv directory and the allocation\'s own files, nothing else', () => {
    assert.deepEqual(lines(job({ volumes: ['/pv/acme-shop:/data', 'local/config:/etc/app'], mount: [{ type: 'bind', source: 'local/x', target: '/x' }, { type: 'tmpfs', target: '/tmp' }] })), []);
  });

  it('refuses host paths, the Docker socket and another project\'s /pv, naming where each came from', () => {
    assert.deepEqual(lines(job({ volumes: ['/:/host', '/var/run/docker.sock:/var/run/docker.sock', '/pv/other-project:/data', '/pv/acme-shop/../other:/x'] })), [
      '<volumes>: the host path / is not granted to namespace team-a (task "http"): an operator grants host paths with `nom grants team-a --host-path <dir>`',
      '<volumes>: the host path /var/run/docker.sock is not granted to namespace team-a (task "http"): an operator grants host paths with `nom grants team-a --host-path <dir>`',
      '<volumes>: the host path /pv/other-project is not granted to namespace team-a (task "http"): an operator grants host paths with `nom grants team-a --host-path <dir>`',
      '<volumes>: the host path /pv/acme-shop/../other is not granted to namespace team-a (task "http"): an operator grants host paths with `nom grants team-a --host-path <dir>`',
    ]);
    assert.match(lines(job({ mount: [{ type: 'bind', source: '/etc/nomad.d', target: '/n' }] }))[0]!, /^<mount>: the host path \/etc\/nomad\.d is not granted/);
    assert.match(lines(job({ volumes: ['shared:/data'] }))[0]!, /mounts the Docker volume "shared", which any job could share/);
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

  it('grants are kept as a variable\'s items and told in words', () => {
    const g: NamespaceGrants = { trusted: false, hostNetwork: true, hostPaths: ['/usr/games', '/srv/shared'], home: 'ro' };
    assert.deepEqual(grantsFromItems(grantsToItems(g)), g);
    assert.deepEqual(grantsFromItems(undefined), NO_GRANTS);
    assert.equal(describeGrants(g), 'the node\'s network; host paths /usr/games, /srv/shared; /home read-only');
    assert.equal(describeGrants(NO_GRANTS), 'nothing beyond the project\'s own /pv/<project>');
  });
});
