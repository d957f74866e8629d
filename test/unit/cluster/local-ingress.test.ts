import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localAgentConfig } from '../../../src/cluster/local-agent-config.js';
import { caCertPath, ingressPorts, localRouterConfig } from '../../../src/cluster/local-ingress.js';
import { localLayout } from '../../../src/cluster/local-layout.js';

describe('the local ingress', () => {
  it('listens on loopback with the internal CA; Caddy\'s admin API is a socket only its user may open; the router\'s ports are next to Nomad\'s', () => {
    const layout = localLayout('/srv/nom');
    const config = localRouterConfig(layout, ingressPorts(4646, { https: 8443, http: 8080 }), 4646);
    assert.equal(config.caddyAdmin, `unix:${layout.caddyDir}/admin.sock`);
    assert.equal(config.ingress.adminListen, `unix/${layout.caddyDir}/admin.sock|0600`);
    assert.equal(config.statusPort, 4650);
    assert.equal(config.ingress.noInstancePort, 4652);
    assert.equal(config.ingress.bindHost, '127.0.0.1');
    assert.deepEqual(config.ingress.tls, { mode: 'internal' });
    assert.equal(caCertPath(config), '/srv/nom/caddy/data/pki/authorities/local/root.crt');
    assert.ok(localAgentConfig({ dataDir: '/d', httpPort: 4646, homeDir: '/home', pvNamespaces: [], hostPaths: false }));
  });

  it('carries the operator\'s sleep and expiry for review apps to the router, and names a bad one before anything starts', () => {
    const layout = localLayout('/srv/nom');
    const ports = ingressPorts(4646, { https: 8443, http: 8080 });
    assert.equal(localRouterConfig(layout, ports, 4646).sleep, undefined);
    assert.equal(localRouterConfig(layout, ports, 4646, { NOM_SLEEP_AFTER: '' }).sleep, undefined);
    assert.deepEqual(localRouterConfig(layout, ports, 4646, { NOM_SLEEP_AFTER: '20m', NOM_EXPIRE_AFTER: '7d' }).sleep, { reviewAppsAfter: '20m', expireReviewAppsAfter: '7d' });
    assert.throws(() => localRouterConfig(layout, ports, 4646, { NOM_SLEEP_AFTER: 'later' }), /NOM_SLEEP_AFTER "later": expected a duration/);
    assert.throws(() => localRouterConfig(layout, ports, 4646, { NOM_EXPIRE_AFTER: 'two weeks' }), /NOM_EXPIRE_AFTER "two weeks": expected a number of days/);
  });
});
