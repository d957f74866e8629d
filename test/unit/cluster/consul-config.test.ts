import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consulPolicies, consulPorts, localConsulConfig, nomadConsulBlock } from '../../../src/cluster/consul-config.js';
import { localAgentConfig } from '../../../src/cluster/local-agent-config.js';

describe('Consul beside the local Nomad', () => {
  it('listens on loopback only, on ports next to Nomad\'s, with DNS, WAN and gRPC off', () => {
    const c = localConsulConfig({ dataDir: '/tmp/c', nomadHttpPort: 4646 }) as { bind_addr: string; client_addr: string; ports: Record<string, number> };
    assert.equal(c.bind_addr, '127.0.0.1');
    assert.equal(c.client_addr, '127.0.0.1');
    assert.deepEqual(consulPorts(4646), { http: 4653, serfLan: 4654, server: 4655 });
    assert.deepEqual(c.ports, { http: 4653, serf_lan: 4654, server: 4655, dns: -1, serf_wan: -1, grpc: -1 });
  });

  it('has ACLs on and denies what no token allows', () => {
    const c = localConsulConfig({ dataDir: '/tmp/c', nomadHttpPort: 4646 }) as { acl: Record<string, unknown> };
    assert.deepEqual(c.acl, { enabled: true, default_policy: 'deny', enable_token_persistence: true });
  });

  it('gives Nomad service registration and no key: a job\'s templates read Consul with Nomad\'s token', () => {
    const { nomad, reader } = consulPolicies();
    assert.match(nomad.Rules, /service_prefix "" \{\n {2}policy = "write"/);
    assert.doesNotMatch(nomad.Rules, /key_prefix|acl|operator/);
    // The router's and the operators' token only reads.
    assert.doesNotMatch(reader.Rules, /write/);
    assert.doesNotMatch(reader.Rules, /key_prefix/);
  });

  it('puts the consul block, with Nomad\'s token, into the agent configuration only when asked', () => {
    const base = { dataDir: '/d', httpPort: 4646, homeDir: '/home', pvNamespaces: ['default'], hostPaths: false };
    assert.equal('consul' in localAgentConfig(base), false);
    const withConsul = localAgentConfig({ ...base, consul: nomadConsulBlock('127.0.0.1:4653', 'secret-token') });
    assert.deepEqual(withConsul.consul, { address: '127.0.0.1:4653', token: 'secret-token', auto_advertise: true, server_auto_join: false, client_auto_join: false });
  });
});
