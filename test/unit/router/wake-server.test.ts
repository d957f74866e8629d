import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { serveWake } from '../../../src/router/wake-server.js';

const quiet = { info: () => undefined, warn: () => undefined };
const listening = (server: http.Server) => new Promise<number>((resolve) => server.once('listening', () => resolve((server.address() as AddressInfo).port)));
const get = (port: number, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/hello?x=1', headers: { Host: 'app.example.com', ...headers } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    }).on('error', reject);
  });

describe('the wake listener', async () => {
  // The woken app: says what it was asked, and echoes on a websocket.
  const app = http.createServer((req, res) => res.end(`${req.headers.host} ${req.url}`));
  const wss = new WebSocketServer({ server: app });
  wss.on('connection', (ws) => ws.on('message', (m) => ws.send(String(m))));
  app.listen(0, '127.0.0.1');
  const appPort = await listening(app);
  const servers: http.Server[] = [app];
  after(() => {
    wss.close();
    for (const s of servers) s.close();
  });

  it('holds a request until the app is awake, then passes it on as it came', async () => {
    let wakes = 0;
    const waker = { wakeFor: async (host: string) => (assert.equal(host, 'app.example.com'), wakes++, await new Promise((r) => setTimeout(r, 200)), [`127.0.0.1:${appPort}`]) };
    const server = serveWake(waker, 0, quiet);
    servers.push(server);
    const port = await listening(server);
    const began = Date.now();
    const reply = await get(port);
    assert.ok(Date.now() - began >= 200);
    assert.deepEqual([reply.status, reply.body], [200, 'app.example.com /hello?x=1']);
    assert.equal(wakes, 1);
  });

  it('passes a websocket on once the app is awake', async () => {
    const server = serveWake({ wakeFor: async () => [`127.0.0.1:${appPort}`] }, 0, quiet);
    servers.push(server);
    const port = await listening(server);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { Host: 'app.example.com' } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const echo = new Promise<string>((resolve) => ws.once('message', (m) => resolve(String(m))));
    ws.send('good morning');
    assert.equal(await echo, 'good morning');
    ws.close();
  });

  it('answers 503 with Retry-After when the app does not wake, and a browser a page that reloads', async () => {
    const server = serveWake({ wakeFor: async () => Promise.reject(new Error('default/app did not wake within 120s')) }, 0, quiet);
    servers.push(server);
    const port = await listening(server);
    const api = await get(port);
    assert.equal(api.status, 503);
    assert.equal(api.headers['retry-after'], '5');
    assert.match(api.body, /still starting/);
    const browser = await get(port, { Accept: 'text/html,application/xhtml+xml' });
    assert.match(browser.body, /<meta http-equiv="refresh" content="5">/);
  });

  it('refuses a request that comes back to it, as one would from a service registered at its own address', async () => {
    let port = 0;
    const server = serveWake({ wakeFor: async () => [`127.0.0.1:${port}`] }, 0, quiet);
    servers.push(server);
    port = await listening(server);
    const reply = await get(port);
    assert.equal(reply.status, 508);
  });
});
