import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { clusterSpec } from '../../../../src/cluster/remote/cluster-spec.js';
import { deployPolicy, routerPolicy } from '../../../../src/cluster/remote/deploy-policy.js';
import { NO_GRANTS } from '../../../../src/jobspec/container-rules.js';
import { clusterRouterConfig, consulAgentConfig, consulAgentTokenConfig, nomadAgentConfig, nomadConsulConfig, nomServiceScript, routerEnvironment, serviceCommand, serviceDefinitions, systemdUnit } from '../../../../src/cluster/remote/node-files.js';

const GOLDEN = fileURLToPath(new URL('../../../fixtures/cluster/', import.meta.url));

/** Compares with the golden file; UPDATE_GOLDEN=1 writes it instead. */
function golden(name: string, actual: string): void {
  const path = `${GOLDEN}${name}`;
  if (process.env.UPDATE_GOLDEN || !existsSync(path)) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, actual);
  }
  assert.equal(actual, readFileSync(path, 'utf8'), `${name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it after a deliberate change)`);
}

const spec = clusterSpec({ hosts: ['admin@10.0.0.11', '10.0.0.12', 'node3.example.com:2222'], ingress: ['admin@10.0.0.11'], namespace: 'web', nfsPv: 'nfs.example.com:/srv/pv', acmeEmail: 'ops@example.com', baseDomain: 'apps.example.com' });
const node = { name: 'node1', address: '10.0.0.11' };
const KEY = 'k5kqQ1mRZ8yjTlfvVv3w3xqF0Jb8W0w7bJbJ3n4vHqU=';

describe('the files of a cluster node', () => {
  it('the Nomad agent: server and client, TLS, gossip key, ACLs, docker volumes, host volumes', () => {
    const config = nomadAgentConfig(spec, node, { servers: ['10.0.0.11', '10.0.0.12', '10.0.0.13'], bootstrapExpect: 3, gossipKey: KEY, nfsPv: true });
    golden('nomad.json', `${JSON.stringify(config, null, 2)}\n`);
    assert.deepEqual((config.server as { server_join: { retry_join: string[] } }).server_join.retry_join, ['10.0.0.12', '10.0.0.13'], 'a node does not join itself');
  });

  it('systemd units that restart on failure, and the same services for hosts without systemd', () => {
    for (const s of serviceDefinitions(true)) {
      // Docker's own package brings its unit.
      if (s.name !== 'docker') golden(`${s.name}.service`, systemdUnit(s));
      golden(`${s.name}.cmd`, serviceCommand(s));
    }
    assert.deepEqual(serviceDefinitions(false).map((s) => s.name), ['docker', 'nomad']);
  });

  it('with --consul: a Consul server beside each Nomad server, TLS from the cluster CA, its own gossip key, ACLs denying by default, its API on loopback', () => {
    const withConsul = { ...spec, consul: true };
    const config = consulAgentConfig(withConsul, node, { servers: ['10.0.0.11', '10.0.0.12', '10.0.0.13'], bootstrapExpect: 3, gossipKey: KEY });
    golden('consul.json', `${JSON.stringify(config, null, 2)}\n`);
    assert.equal(config.client_addr, '127.0.0.1', 'Consul\'s API is reachable from other machines');
    assert.deepEqual(config.retry_join, ['10.0.0.12', '10.0.0.13']);
    const services = serviceDefinitions(true, true);
    assert.deepEqual(services.map((s) => s.name), ['docker', 'consul', 'nomad', 'caddy', 'nom-router']);
    const consul = services.find((s) => s.name === 'consul')!;
    golden('consul.service', systemdUnit(consul));
    golden('consul.cmd', serviceCommand(consul));
    assert.match(systemdUnit(services.find((s) => s.name === 'nomad')!), /^After=network-online\.target docker\.service consul\.service$/m);
    // Tokens live in files of their own (0600), written once the ACLs are bootstrapped.
    assert.deepEqual(JSON.parse(consulAgentTokenConfig('t-agent')), { acl: { tokens: { agent: 't-agent' } } });
    assert.deepEqual(JSON.parse(nomadConsulConfig({ address: '127.0.0.1:8500', token: 't-nomad' })), { consul: { address: '127.0.0.1:8500', token: 't-nomad' } });
    // The router follows Consul there, with a read token in its environment.
    assert.deepEqual(clusterRouterConfig(withConsul, node).consul, { address: 'http://127.0.0.1:8500' });
    assert.equal(clusterRouterConfig(spec, node).consul, undefined);
    assert.match(routerEnvironment(node, 'nomad-token', 'consul-reader'), /\nCONSUL_HTTP_TOKEN=consul-reader\n$/);
  });

  it('nom-service, the service wrapper, is valid sh that shellcheck accepts', () => {
    const script = nomServiceScript();
    golden('nom-service', script);
    assert.equal(spawnSync('sh', ['-n', '-c', script]).status, 0);
    const check = spawnSync('shellcheck', ['-s', 'sh', '-'], { input: script, encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout);
  });

  it('the router of an ingress node, its environment, and the deploy and router policies', () => {
    golden('router.json', `${JSON.stringify(clusterRouterConfig(spec, node), null, 2)}\n`);
    golden('nom-router.env', routerEnvironment(node, '00000000-1111-2222-3333-444444444444'));
    golden('deploy-web.hcl', deployPolicy('web').Rules);
    golden('nom-router.hcl', routerPolicy().Rules);
    // Grants widen the policy by the host volumes they name, and trusted by all of them.
    const granted = deployPolicy('web', { ...NO_GRANTS, home: 'ro', hostVolumes: [{ name: 'games', path: '/usr/games', readOnly: true }] }).Rules;
    assert.match(granted, /host_volume "pv-web" \{\n  policy = "write"\n\}\nhost_volume "home-ro" \{\n  policy = "read"\n\}\nhost_volume "games" \{\n  policy = "read"\n\}\n$/);
    assert.match(deployPolicy('web', { ...NO_GRANTS, trusted: true }).Rules, /host_volume "\*" \{\n  policy = "write"\n\}\n$/);
  });
});
