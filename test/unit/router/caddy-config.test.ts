import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { caddyConfig, configId, DEFAULT_HSTS, documentId, type IngressOptions } from '../../../src/router/caddy-config.js';

/** A document as it was before it was given its id. */
const caddyDocumentWithoutId = (doc: any) => {
  const copy = structuredClone(doc);
  delete copy.apps.http.servers.unavailable.routes[0]['@id'];
  return copy;
};
import { routingTable, type RoutingInput, type ServiceInstance } from '../../../src/router/routing-table.js';

const instance = (over: Partial<ServiceInstance>): ServiceInstance => ({
  namespace: 'default', jobId: 'web', serviceName: 'web', allocId: 'a1', address: '127.0.0.1', port: 20001, tags: ['https://web.example.com'], createIndex: 10, ...over,
});
/** The job "web" as its spec declares it: the house job's tags and canary tags. */
const table = (input: Partial<RoutingInput>) => routingTable({ jobs: [], instances: [], healthy: () => true, ...input });

describe('the Caddy document', () => {
  const options: IngressOptions = {
    httpsPort: 8443, httpPort: 8080, bindHost: '127.0.0.1', adminListen: '127.0.0.1:4649', noInstancePort: 4652,
    tls: { mode: 'internal' }, storageDir: '/var/nom/caddy', unknownHostRedirect: 'https://nom.localhost:8443/ui/jobs', hsts: DEFAULT_HSTS, trustedProxies: ['127.0.0.0/8'],
    nomad: { hostnames: ['nom.localhost'], upstream: '127.0.0.1:4646' },
  };
  const routes = table({ instances: [instance({}), instance({ jobId: 'plain', allocId: 'p', port: 3, tags: ['http://plain.example.com'] })] });
  const config = caddyConfig(routes, options) as any;
  const https = config.apps.http.servers.https;
  const http = config.apps.http.servers.http;

  it('is the same document for the same hostnames, whatever their instances (so instances change without a load)', () => {
    assert.deepEqual(caddyConfig(routes, options), config);
    const moved = table({ instances: [instance({ port: 29999 }), instance({ jobId: 'plain', allocId: 'p', port: 3, tags: ['http://plain.example.com'] })], healthy: (id) => id === 'p' });
    assert.deepEqual(caddyConfig(moved, options), config);
  });

  it('proxies the HTTPS hostnames with HSTS, instances from nom\'s upstream table (the 503 listener for a hostname not in it), random choice, retries and a stream close delay', () => {
    const route = https.routes[0];
    assert.deepEqual(route.match, [{ host: ['web.example.com'] }]);
    assert.deepEqual(route.handle[0], { handler: 'headers', response: { set: { 'Strict-Transport-Security': [DEFAULT_HSTS] } } });
    const proxy = route.handle[1];
    assert.equal(proxy.upstreams, undefined);
    assert.deepEqual(proxy.dynamic_upstreams, { source: 'nom', scheme: 'https', fallback: '127.0.0.1:4652' });
    assert.equal(proxy.load_balancing.selection_policy.policy, 'random');
    assert.equal(proxy.load_balancing.retries, 2);
    assert.ok(proxy.stream_close_delay);
  });

  it('matches a thousand hostnames in one route, so the document and a request\'s match do not grow a route per hostname', () => {
    const many = table({ instances: Array.from({ length: 1000 }, (_, i) => instance({ jobId: `app-${i}`, allocId: `a${i}`, tags: [`https://app-${i}.example.com`] })) });
    const routes = (caddyConfig(many, options) as any).apps.http.servers.https.routes;
    assert.equal(routes.length, 3); // the apps, the Nomad UI, unknown hostnames
    assert.equal(routes[0].match[0].host.length, 1000);
  });

  it('names itself with a hash of the document, so the router can ask Caddy whether it still runs it', () => {
    assert.equal(documentId(config), configId(caddyDocumentWithoutId(config)));
    const other = caddyConfig(table({ instances: [instance({ tags: ['https://other.example.com'] })] }), options);
    assert.notEqual(documentId(other), documentId(config));
  });

  it('answers 503 on a loopback listener of its own, where the upstream table sends routes without a healthy instance', () => {
    const unavailable = config.apps.http.servers.unavailable;
    assert.deepEqual(unavailable.listen, ['127.0.0.1:4652']);
    assert.equal(unavailable.routes[0].handle[0].status_code, 503);
  });

  it('serves the Nomad UI and API at the cluster hostname, and sends unknown hostnames away', () => {
    assert.deepEqual(https.routes[1].match, [{ host: ['nom.localhost'] }]);
    assert.deepEqual(https.routes[1].handle[1].upstreams, [{ dial: '127.0.0.1:4646' }]);
    assert.deepEqual(https.routes.at(-1), { handle: [{ handler: 'static_response', status_code: 302, headers: { Location: ['https://nom.localhost:8443/ui/jobs'] } }] });
  });

  it('on plain HTTP: routes http:// hostnames (with HSTS unless X-HSTS: off) and redirects the others to HTTPS', () => {
    assert.deepEqual(http.routes[0].match, [{ host: ['plain.example.com'] }]);
    assert.deepEqual(http.routes[0].handle[0].routes[0].match, [{ not: [{ header: { 'X-Hsts': ['off'] } }] }]);
    assert.equal(http.routes[0].handle[0].routes[1].handle[0].dynamic_upstreams.scheme, 'http');
    assert.deepEqual(http.routes[1].match, [{ host: ['web.example.com', 'nom.localhost'] }]);
    assert.deepEqual(http.routes[1].handle[0].headers.Location, ['https://{http.request.host}:8443{http.request.uri}']);
  });

  it('gets certificates from the internal CA locally, from ACME otherwise, on demand when asked', () => {
    assert.deepEqual(config.apps.tls.automation.policies, [{ issuers: [{ module: 'internal' }] }]);
    const acme = caddyConfig(routes, { ...options, tls: { mode: 'acme', email: 'ops@example.com' } }) as any;
    assert.deepEqual(acme.apps.tls.automation.policies, [{ issuers: [{ module: 'acme', email: 'ops@example.com' }] }]);
    const onDemand = caddyConfig(routes, { ...options, tls: { mode: 'on-demand', permissionUrl: 'http://127.0.0.1:4650/tls-allowed' } }) as any;
    assert.equal(onDemand.apps.tls.automation.policies[0].on_demand, true);
    assert.deepEqual(onDemand.apps.tls.automation.on_demand, { permission: { module: 'http', endpoint: 'http://127.0.0.1:4650/tls-allowed' } });
    assert.equal(config.apps.pki.certificate_authorities.local.install_trust, false);
  });
});
