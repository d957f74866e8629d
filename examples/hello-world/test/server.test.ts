// The demo app over real sockets on 127.0.0.1: in-process for the routes, and one child
// process for the entry point (env, startup line, SIGTERM). Needs `npm ci` in examples/hello-world (for ws).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { createApp, portFromEnv, shortCommit, type App } from '../src/app.js';

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(port: number, path: string, options: http.RequestOptions = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, agent: false, ...options }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('hello-world app', () => {
  let app: App;
  let port: number;
  const logs: string[] = [];

  before(async () => {
    app = createApp(
      { greeting: 'hi <world> & "friends"', hostname: undefined, commit: '0123456789abcdef0123456789abcdef01234567' },
      (line) => logs.push(line),
    );
    app.server.listen(0, '127.0.0.1');
    await once(app.server, 'listening');
    port = (app.server.address() as AddressInfo).port;
  });

  after(() => app.close(500));

  it('GET / names the deployment, HTML-escaped, with the Host header as fallback hostname', async () => {
    const res = await request(port, '/', { headers: { Host: 'x"><script>.example' } });
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /^text\/html; charset=utf-8/);
    assert.match(res.body, /<h1>hi &#60;world&#62; &#38; &#34;friends&#34;<\/h1>/);
    assert.match(res.body, /<strong>x&#34;&#62;&#60;script&#62;\.example<\/strong>/);
    assert.match(res.body, /<code>0123456<\/code>/);
    assert.doesNotMatch(res.body, /<script>/);
  });

  it('GET /healthcheck answers ok as text/plain', async () => {
    const res = await request(port, '/healthcheck?probe=1');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /^text\/plain/);
    assert.equal(res.body, 'ok');
  });

  it('answers 404 for other paths, 405 for other methods, 426 for /ws without upgrade', async () => {
    assert.equal((await request(port, '/nope')).status, 404);
    const post = await request(port, '/', { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
    assert.equal((await request(port, '/ws')).status, 426);
  });

  it('serves the page to a client asking for an h2c upgrade (as curl --http2 does)', async () => {
    const res = await request(port, '/healthcheck', { headers: { Connection: 'Upgrade, HTTP2-Settings', Upgrade: 'h2c', 'HTTP2-Settings': 'AAMAAABkAAQAoAAAAAIAAAAA' } });
    assert.equal(res.status, 200);
    assert.equal(res.body, 'ok');
  });

  it('echoes websocket text and binary messages at /ws', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    await once(ws, 'open');
    const received = (): Promise<[WebSocket.RawData, boolean]> =>
      once(ws, 'message') as Promise<[WebSocket.RawData, boolean]>;

    let next = received();
    ws.send('hello ws');
    let [data, isBinary] = await next;
    assert.equal(isBinary, false);
    assert.equal(data.toString(), 'hello ws');

    next = received();
    ws.send(Buffer.from([0, 1, 2, 255]));
    [data, isBinary] = await next;
    assert.equal(isBinary, true);
    assert.deepEqual([...(data as Buffer)], [0, 1, 2, 255]);

    ws.close();
    await once(ws, 'close');
  });

  it('refuses websockets on other paths', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/elsewhere`);
    ws.on('error', () => {}); // terminate() below reports "closed before the connection was established"
    const [, res] = (await once(ws, 'unexpected-response')) as [unknown, http.IncomingMessage];
    assert.equal(res.statusCode, 404);
    res.resume();
    ws.terminate();
  });

  it('logs one line per request: method, path, status, duration', () => {
    assert.ok(logs.some((line) => /^GET \/healthcheck 200 \d+\.\dms$/.test(line)), logs.join('\n'));
    assert.ok(logs.some((line) => /^GET \/ws 101 \d+\.\dms$/.test(line)), logs.join('\n'));
  });
});

describe('hello-world configuration', () => {
  it('takes the port from NOMAD_PORT_http, then PORT, then 5000', () => {
    assert.equal(portFromEnv({ NOMAD_PORT_http: '23456', PORT: '8080' }), 23456);
    assert.equal(portFromEnv({ PORT: '8080' }), 8080);
    assert.equal(portFromEnv({}), 5000);
    assert.throws(() => portFromEnv({ PORT: 'http' }), /invalid port "http"/);
    assert.throws(() => portFromEnv({ PORT: '70000' }), /invalid port/);
  });

  it('shortens commit ids the way git does', () => {
    assert.equal(shortCommit('0123456789abcdef0123456789abcdef01234567'), '0123456');
    assert.equal(shortCommit('v1.2'), 'v1.2');
  });
});

describe('hello-world entry point', () => {
  it('starts from the environment and exits 0 soon after SIGTERM', async () => {
    const dir = fileURLToPath(new URL('..', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: dir,
      env: { ...process.env, NOMAD_PORT_http: '0', PORT: '1', CI_HOSTNAME: 'demo.nom.localhost', CI_COMMIT_SHA: 'abcdef0123456789', GREETING: 'hello' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk;
          const m = /listening on http:\/\/0\.0\.0\.0:(\d+) \(node v[\d.]+, commit abcdef0\)/.exec(stdout);
          if (m) resolve(Number(m[1]));
        });
        void exited.then(([code]) => reject(new Error(`server exited early (${code}): ${stderr}`)));
      });
      const page = await request(port, '/');
      assert.match(page.body, /<h1>hello<\/h1>/);
      assert.match(page.body, /<strong>demo\.nom\.localhost<\/strong>/);

      const stopAt = Date.now();
      child.kill('SIGTERM');
      const [code, signal] = await exited;
      assert.equal(signal, null, stderr);
      assert.equal(code, 0, stderr);
      assert.ok(Date.now() - stopAt < 2000, 'stopped within 2s');
      assert.match(stdout, /GET \/ 200 \d+\.\dms\n/);
      assert.match(stdout, /SIGTERM, shutting down\n.*stopped\n$/s);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
