import http from 'node:http';
import net from 'node:net';
import type { WatchLog } from './nomad-watch.js';

/** Headers that belong to one connection, not to the request passed on. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authorization']);

const passOn = (headers: http.IncomingHttpHeaders | http.OutgoingHttpHeaders) => Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));

/**
 * Set on every request the wake listener passes on. A job can register its service at any
 * address, this listener's included: a request that comes back here carrying it is refused
 * instead of going round for ever.
 */
export const PASSED_ON = 'x-nom-woken';

/** The upstream a held request goes to: any healthy instance (Caddy balances those that come after). */
const pick = (upstreams: readonly string[]) => {
  const u = upstreams[Math.floor(Math.random() * upstreams.length)]!;
  const at = u.lastIndexOf(':');
  return { host: u.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(u.slice(at + 1)) };
};

export interface Waker {
  /** Wakes the job that owns `host` and resolves with its healthy instances (host:port). */
  wakeFor(host: string): Promise<readonly string[]>;
}

/**
 * The router's loopback listener for the routes of sleeping apps: Caddy sends their requests here
 * (the upstream table points their routes at it). Each request wakes the app (one wake however many
 * ask), waits until an instance is healthy, and is then passed to it as if nothing had happened:
 * plain requests and websocket upgrades alike. Past the wake limit a request gets 503 with
 * Retry-After; a browser gets a page that tries again by itself.
 */
export function serveWake(waker: Waker, port: number, log: WatchLog): http.Server {
  const hostOf = (req: http.IncomingMessage) => (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  const server = http.createServer((req, res) => {
    if (req.headers[PASSED_ON]) return void res.writeHead(508, { 'Content-Type': 'text/plain' }).end('this request came back to the wake listener: the service is registered at no instance\n');
    waker.wakeFor(hostOf(req)).then(
      (upstreams) => {
        const to = pick(upstreams);
        const forward = http.request({ ...to, method: req.method, path: req.url, headers: { ...passOn(req.headers), [PASSED_ON]: '1' } }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.statusMessage, passOn(answer.headers));
          answer.pipe(res);
        });
        forward.on('error', (e) => {
          if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' }).end(`the woken app did not answer: ${e.message}\n`);
          else res.destroy();
        });
        req.pipe(forward);
      },
      (e: Error) => {
        log.warn(`a request for ${hostOf(req)} waited in vain: ${e.message}`);
        const browser = /text\/html/.test(req.headers.accept ?? '');
        res.writeHead(503, { 'Retry-After': '5', 'Content-Type': browser ? 'text/html; charset=utf-8' : 'text/plain', 'Cache-Control': 'no-store' });
        res.end(browser ? '<!doctype html><meta http-equiv="refresh" content="5"><title>Starting…</title><p>This review app is starting; the page reloads by itself.</p>\n' : `the app is still starting (${e.message}); try again shortly\n`);
      },
    );
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (req.headers[PASSED_ON]) return void socket.end('HTTP/1.1 508 Loop Detected\r\nContent-Length: 0\r\n\r\n');
    waker.wakeFor(hostOf(req)).then(
      (upstreams) => {
        const to = pick(upstreams);
        const upstream = net.connect(to.port, to.host, () => {
          // The upgrade as the client sent it, headers and all.
          const lines = [`${req.method} ${req.url} HTTP/1.1`, `${PASSED_ON}: 1`];
          for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
          upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
          if (head.length) upstream.write(head);
          socket.pipe(upstream).pipe(socket);
        });
        upstream.on('error', () => socket.destroy());
        socket.on('close', () => upstream.destroy());
      },
      () => socket.end('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 0\r\n\r\n'),
    );
  });
  server.listen(port, '127.0.0.1');
  return server;
}
