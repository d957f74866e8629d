import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { mainService } from '../../../src/jobspec/services.js';
import { probesOf, runProbe } from '../../../src/router/wake-probe.js';
import { readSettings } from '../../../src/settings/read-settings.js';
import type { Hostname, Slug } from '../../../src/domain.js';

const check = { Name: 'alive', Type: 'http', Path: '/health', PortLabel: 'http', Interval: 10e9, Timeout: 2e9 };

describe('which checks the router may run itself while an app wakes', () => {
  it('runs nom\'s own HTTP check the same way, and its answer stands until Nomad\'s first check has run', () => {
    const service = mainService('shop' as Slug, ['shop.example.com' as Hostname], readSettings({ NOMAD_VAR_CHECK_PATH: '/healthcheck' }).settings);
    assert.deepEqual(probesOf(service), [{ path: '/healthcheck', timeoutMs: 2000, standsMs: 12_000 }]);
  });

  it('leaves to Nomad every check it could not run as Nomad does', () => {
    const service = (c: object) => ({ PortLabel: 'http', Checks: [{ ...check, ...c }] });
    assert.ok(probesOf(service({})));
    // A TCP connect succeeds on Docker's proxy before the app listens.
    assert.equal(probesOf(service({ Type: 'tcp' })), undefined);
    for (const c of [{ Protocol: 'https' }, { Method: 'POST' }, { Body: 'x' }, { Header: { Host: ['other.example.com'] } }, { PortLabel: 'admin' }, { AddressMode: 'alloc' }, { Expose: true }, { Path: 'health' }, { Path: '/a b' }, { Path: undefined }]) {
      assert.equal(probesOf(service(c)), undefined, JSON.stringify(c));
    }
    // One check it cannot run is enough to wait for Nomad's.
    assert.equal(probesOf({ PortLabel: 'http', Checks: [check, { ...check, Type: 'tcp' }] }), undefined);
    // A service without checks needs no probe: it is healthy while its allocation runs.
    assert.equal(probesOf({ PortLabel: 'http', Checks: null }), undefined);
  });
});

describe('a probe against an instance', () => {
  let server: http.Server;
  let port: number;
  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/hang') return; // never answers
      res.writeHead(req.url === '/ok' ? 200 : req.url === '/moved' ? 302 : 503).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  const probe = (path: string) => ({ path, timeoutMs: 300, standsMs: 1000 });

  it('passes as Nomad\'s check passes: an answer below 400', async () => {
    assert.equal(await runProbe(probe('/ok'), '127.0.0.1', port), true);
    assert.equal(await runProbe(probe('/moved'), '127.0.0.1', port), true);
    assert.equal(await runProbe(probe('/starting'), '127.0.0.1', port), false);
  });

  it('fails, never throws, when nothing listens or nothing answers in time', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    closed.close();
    assert.equal(await runProbe(probe('/ok'), '127.0.0.1', closedPort), false);
    assert.equal(await runProbe(probe('/hang'), '127.0.0.1', port), false);
    assert.equal(await runProbe(probe('/ok'), '[::1', port), false);
  });
});
