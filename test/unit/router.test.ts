import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localAgentConfig } from '../../src/cluster/local-agent-config.js';
import { caCertPath, ingressPorts, localRouterConfig } from '../../src/cluster/local-ingress.js';
import { localLayout } from '../../src/cluster/local-layout.js';
import { caddyConfig, DEFAULT_HSTS, type IngressOptions } from '../../src/router/caddy-config.js';
import { routingTable, type ServiceInstance } from '../../src/router/routing-table.js';
import { routeClaim } from '../../src/router/service-tags.js';

const instance = (over: Partial<ServiceInstance>): ServiceInstance => ({
  namespace: 'default', jobId: 'web', serviceName: 'web', allocId: 'a1', address: '127.0.0.1', port: 20001, tags: ['https://web.example.com'], createIndex: 10, ...over,
});

describe('service tags', () => {
  it('reads https:// and http:// tags, lower-cased, port and path ignored', () => {
    assert.deepEqual(routeClaim('https://Web.Example.com'), { host: 'web.example.com', scheme: 'https' });
    assert.deepEqual(routeClaim('https://canary-web.example.com/'), { host: 'canary-web.example.com', scheme: 'https' });
    assert.deepEqual(routeClaim('http://plain.example.com:8080/x'), { host: 'plain.example.com', scheme: 'http' });
  });

  it('understands the seed\'s urlprefix- tags as its template did', () => {
    assert.deepEqual(routeClaim('urlprefix-web.example.com:443/'), { host: 'web.example.com', scheme: 'https' });
    assert.deepEqual(routeClaim('urlprefix-web.example.com/ proto=http'), { host: 'web.example.com', scheme: 'http' });
    assert.equal(routeClaim('urlprefix-web.example.com:80/ redirect=308,https://web.example.com$path'), undefined);
    assert.equal(routeClaim('urlprefix-:7777 proto=tcp'), undefined);
  });

  it('ignores anything else', () => {
    for (const tag of ['web', 'traefik.enable=true', 'https://', 'https://bad host']) assert.equal(routeClaim(tag), undefined);
  });
});

describe('the routing table', () => {
  it('routes each hostname to the healthy instances of its service', () => {
    const table = routingTable([instance({ allocId: 'a1', port: 1 }), instance({ allocId: 'a2', port: 2 }), instance({ allocId: 'a3', port: 3 })], (id) => id !== 'a3');
    assert.deepEqual(table.routes, [{ host: 'web.example.com', scheme: 'https', owner: 'default/web', upstreams: ['127.0.0.1:1', '127.0.0.1:2'] }]);
  });

  it('gives a canary its own hostname through its canary tags', () => {
    const table = routingTable([instance({ allocId: 'old' }), instance({ allocId: 'canary', port: 2, tags: ['https://canary-web.example.com'] })], () => true);
    assert.deepEqual(table.routes.map((r) => [r.host, r.upstreams]), [['canary-web.example.com', ['127.0.0.1:2']], ['web.example.com', ['127.0.0.1:20001']]]);
  });

  it('a hostname belongs to the first job that claimed it: a later claim gets no traffic', () => {
    const table = routingTable([instance({ jobId: 'hijacker', allocId: 'h', port: 9, createIndex: 50 }), instance({ createIndex: 10 })], () => true);
    assert.deepEqual(table.routes, [{ host: 'web.example.com', scheme: 'https', owner: 'default/web', upstreams: ['127.0.0.1:20001'] }]);
    assert.deepEqual(table.conflicts, [{ host: 'web.example.com', owner: 'default/web', claimant: 'default/hijacker' }]);
  });

  it('the same job name in another namespace is another job', () => {
    const table = routingTable([instance({ namespace: 'team-b', createIndex: 20, allocId: 'b' }), instance({})], () => true);
    assert.equal(table.routes[0]!.owner, 'default/web');
    assert.equal(table.conflicts[0]!.claimant, 'team-b/web');
  });
});

describe('the Caddy document', () => {
  const options: IngressOptions = {
    httpsPort: 8443, httpPort: 8080, bindHost: '127.0.0.1', adminListen: '127.0.0.1:4649', tls: { mode: 'internal' }, storageDir: '/var/nom/caddy',
    unknownHostRedirect: 'https://nom.localhost:8443/ui/jobs', hsts: DEFAULT_HSTS, trustedProxies: ['127.0.0.0/8'],
    nomad: { hostnames: ['nom.localhost'], upstream: '127.0.0.1:4646' },
  };
  const table = routingTable([instance({}), instance({ jobId: 'plain', allocId: 'p', port: 3, tags: ['http://plain.example.com'] })], () => true);
  const config = caddyConfig(table, options) as any;
  const https = config.apps.http.servers.https;
  const http = config.apps.http.servers.http;

  it('is the same document for the same table (so unchanged tables are not pushed)', () => {
    assert.deepEqual(caddyConfig(table, options), config);
  });

  it('proxies each HTTPS hostname with HSTS, least-connections, retries and a stream close delay', () => {
    const route = https.routes[0];
    assert.deepEqual(route.match, [{ host: ['web.example.com'] }]);
    assert.deepEqual(route.handle[0], { handler: 'headers', response: { set: { 'Strict-Transport-Security': [DEFAULT_HSTS] } } });
    assert.deepEqual(route.handle[1].upstreams, [{ dial: '127.0.0.1:20001' }]);
    assert.equal(route.handle[1].load_balancing.selection_policy.policy, 'least_conn');
    assert.equal(route.handle[1].load_balancing.retries, 2);
    assert.ok(route.handle[1].stream_close_delay);
  });

  it('serves the Nomad UI and API at the cluster hostname, and sends unknown hostnames away', () => {
    assert.deepEqual(https.routes[1].match, [{ host: ['nom.localhost'] }]);
    assert.deepEqual(https.routes[1].handle[1].upstreams, [{ dial: '127.0.0.1:4646' }]);
    assert.deepEqual(https.routes.at(-1), { handle: [{ handler: 'static_response', status_code: 302, headers: { Location: ['https://nom.localhost:8443/ui/jobs'] } }] });
  });

  it('on plain HTTP: routes http:// hostnames (with HSTS unless X-HSTS: off) and redirects the others to HTTPS', () => {
    assert.deepEqual(http.routes[0].match, [{ host: ['plain.example.com'] }]);
    assert.deepEqual(http.routes[0].handle[0].routes[0].match, [{ not: [{ header: { 'X-Hsts': ['off'] } }] }]);
    assert.deepEqual(http.routes[1].match, [{ host: ['web.example.com', 'nom.localhost'] }]);
    assert.deepEqual(http.routes[1].handle[0].headers.Location, ['https://{http.request.host}:8443{http.request.uri}']);
  });

  it('a hostname without a healthy instance answers 503 rather than falling through', () => {
    const empty = caddyConfig({ routes: [{ host: 'web.example.com', scheme: 'https', owner: 'default/web', upstreams: [] }], conflicts: [] }, options) as any;
    assert.equal(empty.apps.http.servers.https.routes[0].handle[1].status_code, 503);
  });

  it('gets certificates from the internal CA locally, from ACME otherwise, on demand when asked', () => {
    assert.deepEqual(config.apps.tls.automation.policies, [{ issuers: [{ module: 'internal' }] }]);
    const acme = caddyConfig(table, { ...options, tls: { mode: 'acme', email: 'ops@example.com' } }) as any;
    assert.deepEqual(acme.apps.tls.automation.policies, [{ issuers: [{ module: 'acme', email: 'ops@example.com' }] }]);
    const onDemand = caddyConfig(table, { ...options, tls: { mode: 'on-demand', permissionUrl: 'http://127.0.0.1:4650/tls-allowed' } }) as any;
    assert.equal(onDemand.apps.tls.automation.policies[0].on_demand, true);
    assert.deepEqual(onDemand.apps.tls.automation.on_demand, { permission: { module: 'http', endpoint: 'http://127.0.0.1:4650/tls-allowed' } });
    assert.equal(config.apps.pki.certificate_authorities.local.install_trust, false);
  });
});

describe('the local ingress', () => {
  it('listens on loopback with the internal CA, admin ports next to Nomad\'s', () => {
    const layout = localLayout('/srv/nom');
    const config = localRouterConfig(layout, ingressPorts(4646, { https: 8443, http: 8080 }), 4646);
    assert.equal(config.caddyAdmin, 'http://127.0.0.1:4649');
    assert.equal(config.statusPort, 4650);
    assert.equal(config.ingress.bindHost, '127.0.0.1');
    assert.deepEqual(config.ingress.tls, { mode: 'internal' });
    assert.equal(caCertPath(config), '/srv/nom/caddy/data/pki/authorities/local/root.crt');
    assert.ok(localAgentConfig({ dataDir: '/d', httpPort: 4646, homeDir: '/home' }));
  });
});
