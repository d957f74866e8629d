import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONSOLE_NOMAD_CALLS, consoleAllows } from '../../../src/router/console-calls.js';
import { caddyConfig, DEFAULT_HSTS, type IngressOptions } from '../../../src/router/caddy-config.js';

describe('the calls the console passes to Nomad', () => {
  it('are the page\'s reads and its three actions', () => {
    assert.ok(consoleAllows('GET', '/v1/jobs'));
    assert.ok(consoleAllows('GET', '/v1/job/web/versions'));
    assert.ok(consoleAllows('GET', '/v1/event/stream'));
    assert.ok(consoleAllows('GET', '/v1/client/fs/logs/5c3f0f7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f'));
    assert.ok(consoleAllows('DELETE', '/v1/job/review-app'));
    assert.ok(consoleAllows('POST', '/v1/job/web/revert'));
  });

  it('never reach variables (secret values), ACLs, the operator or agent APIs, nor another method of an allowed path', () => {
    for (const [method, path] of [
      ['GET', '/v1/var/nomad/jobs/web'], ['GET', '/v1/vars'], ['GET', '/v1/acl/tokens'], ['POST', '/v1/acl/bootstrap'], ['GET', '/v1/agent/self'],
      ['PUT', '/v1/operator/scheduler/configuration'], ['POST', '/v1/jobs'], ['DELETE', '/v1/jobs'], ['POST', '/v1/job/web/evaluate'], ['GET', '/v1/client/fs/cat/x'],
      ['GET', '/v1/job/..'], ['GET', '/v1/job/./versions'], ['GET', '/v1/job/web/../../acl/tokens'], ['GET', '/v1/jobs/'],
    ] as const) {
      assert.equal(consoleAllows(method, path), false, `${method} ${path}`);
    }
  });

  it('say why the page needs each', () => {
    for (const call of CONSOLE_NOMAD_CALLS) assert.ok(call.why.length > 10, call.path);
  });
});

describe('the console\'s hostname in the Caddy document', () => {
  const options: IngressOptions = {
    httpsPort: 8443, httpPort: 8080, bindHost: '127.0.0.1', adminListen: 'unix//x.sock|0600', noInstancePort: 4652,
    tls: { mode: 'internal' }, storageDir: '/var/nom/caddy', hsts: DEFAULT_HSTS, trustedProxies: ['127.0.0.0/8'],
    console: { hostnames: ['nom.example.com'], root: '/opt/nom/dist/console', nomad: { dial: '10.0.0.5:4646', caFile: '/etc/nomad.d/ca.pem' }, router: '127.0.0.1:4650' },
  };
  const config = caddyConfig({ routes: [], conflicts: [] }, options) as any;
  const route = config.apps.http.servers.https.routes.find((r: any) => r.match?.[0]?.host?.includes('nom.example.com'));
  const [calls, refused, ingress, page] = route.handle[1].routes;

  it('passes exactly the allowed calls to Nomad over TLS, streaming, with the visitor\'s token and nothing else', () => {
    assert.equal(calls.match.length, CONSOLE_NOMAD_CALLS.length);
    assert.deepEqual(calls.match[0], { method: ['GET'], path_regexp: { pattern: CONSOLE_NOMAD_CALLS[0]!.path } });
    const proxy = calls.handle[0];
    assert.deepEqual(proxy.upstreams, [{ dial: '10.0.0.5:4646' }]);
    assert.equal(proxy.flush_interval, -1);
    assert.deepEqual(proxy.transport.tls.root_ca_pem_files, ['/etc/nomad.d/ca.pem']);
    assert.deepEqual(proxy.headers.request.delete, ['Cookie', 'Authorization']);
  });

  it('refuses every other call under /v1, asks the router for the routes a token may see, and serves the page with a strict policy', () => {
    assert.equal(refused.handle[0].status_code, 403);
    assert.deepEqual(ingress.match, [{ path: ['/api/ingress'] }]);
    assert.deepEqual(ingress.handle[1].upstreams, [{ dial: '127.0.0.1:4650' }]);
    assert.equal(page.handle[1].handler, 'file_server');
    assert.equal(page.handle[1].root, '/opt/nom/dist/console');
    assert.match(page.handle[0].response.set['Content-Security-Policy'][0], /default-src 'none'; script-src 'self'/);
    assert.match(page.handle[0].response.set['Content-Security-Policy'][0], /frame-ancestors 'none'/);
  });

  it('redirects plain HTTP to HTTPS', () => {
    const redirect = config.apps.http.servers.http.routes.find((r: any) => r.match?.[0]?.host?.includes('nom.example.com'));
    assert.equal(redirect.handle[0].status_code, 308);
  });
});
