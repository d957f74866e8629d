import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHostVolume } from '../../../src/cluster/agent-hardening.js';
import { localAgentConfig } from '../../../src/cluster/local-agent-config.js';
import { localLayout, nomHome } from '../../../src/cluster/local-layout.js';

describe('the local cluster configuration', () => {
  const config = localAgentConfig({ dataDir: '/var/nom/nomad/data', httpPort: 4646, homeDir: '/home', pvNamespaces: ['default', 'team-a'], hostPaths: false }) as Record<string, any>;

  it('runs server and client in one agent, on loopback only, with ACLs on', () => {
    assert.equal(config.server.enabled, true);
    assert.equal(config.server.bootstrap_expect, 1);
    assert.equal(config.client.enabled, true);
    assert.equal(config.bind_addr, '127.0.0.1');
    assert.equal(config.client.network_interface, 'lo');
    assert.deepEqual(config.ports, { http: 4646, rpc: 4647, serf: 4648 });
    assert.deepEqual(config.acl, { enabled: true });
  });

  it('never gives an allocation one of nom\'s own ports (Nomad\'s, the router\'s, Consul\'s, Caddy\'s listeners)', () => {
    const tests = localAgentConfig({ dataDir: '/d', httpPort: 24646, homeDir: '/home', pvNamespaces: [], hostPaths: false, ingressPorts: [24443, 24080] }) as Record<string, any>;
    assert.equal(tests.client.reserved.reserved_ports, '24646-24656,24443,24080');
  });

  it('offers /home and each namespace\'s /pv as host volumes, and no host path to docker', () => {
    assert.deepEqual(config.client.host_volume, {
      'home-ro': { path: '/home', read_only: true },
      'home-rw': { path: '/home', read_only: false },
      'pv-default': { path: '/pv/default', read_only: false },
      'pv-team-a': { path: '/pv/team-a', read_only: false },
    });
    const docker = config.plugin[0].docker[0].config[0];
    assert.deepEqual(docker.volumes, [{ enabled: false }]);
    assert.equal(docker.allow_privileged, false);
    assert.ok(!docker.allow_caps.includes('sys_admin') && !docker.allow_caps.includes('all'));
    assert.deepEqual(docker.gc, [{ image: false }], 'images built here exist nowhere else');
  });

  it('a trusted cluster (`nom up --trusted`) mounts host paths, as the system nom replaces did', () => {
    const trusted = localAgentConfig({ dataDir: '/d', httpPort: 4646, homeDir: '/home', pvNamespaces: ['default'], hostPaths: true }) as Record<string, any>;
    assert.deepEqual(trusted.plugin[0].docker[0].config[0].volumes, [{ enabled: true }]);
    assert.equal(trusted.plugin[0].docker[0].config[0].allow_privileged, false);
  });

  it('offers the directories given with --host-volume, and refuses names and paths it cannot take', () => {
    const declared = [parseHostVolume('games=/usr/games:ro'), parseHostVolume('data=/srv/data/')];
    assert.deepEqual(declared, [{ name: 'games', path: '/usr/games', readOnly: true }, { name: 'data', path: '/srv/data', readOnly: false }]);
    const withVolumes = localAgentConfig({ dataDir: '/d', httpPort: 4646, homeDir: '/home', pvNamespaces: [], hostPaths: false, hostVolumes: declared }) as Record<string, any>;
    assert.deepEqual(withVolumes.client.host_volume.games, { path: '/usr/games', read_only: true });
    assert.throws(() => parseHostVolume('games'), /--host-volume "games" is not name=\/dir or name=\/dir:ro/);
    assert.throws(() => parseHostVolume("x=/tmp/a';touch /pwned'"), /is not name=\/dir/);
    assert.throws(() => parseHostVolume('pv-team-a=/srv'), /names starting with home- or pv- are nom's own/);
  });

  it('lets memory_max work (memory oversubscription)', () => {
    assert.equal(config.server.default_scheduler_config.memory_oversubscription_enabled, true);
  });

  it('keeps everything under one directory, $NOM_HOME or ~/.local/share/nom', () => {
    assert.equal(nomHome({ NOM_HOME: '/srv/nom' }, '/root'), '/srv/nom');
    assert.equal(nomHome({}, '/home/ann'), '/home/ann/.local/share/nom');
    assert.equal(nomHome({ XDG_DATA_HOME: '/x' }, '/home/ann'), '/x/nom');
    const layout = localLayout('/srv/nom');
    for (const path of Object.values(layout)) assert.ok(path.startsWith('/srv/nom'), path);
  });
});
