// The demo app: a page naming the deployment, a health check and a websocket echo.
// Kept free of process-wide effects (signals, exit) so tests can run it in-process.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';

export interface AppConfig {
  greeting: string;
  /** The deployment's public hostname (CI_HOSTNAME); the request's Host header when unset. */
  hostname: string | undefined;
  /** The deployed commit (CI_COMMIT_SHA), as given. */
  commit: string | undefined;
  /** Which instance answers (NOMAD_ALLOC_ID), sent as X-Instance so load balancing shows. */
  instance?: string | undefined;
}

export type Env = Record<string, string | undefined>;

export function configFromEnv(env: Env): AppConfig {
  return {
    greeting: nonEmpty(env.GREETING) ?? 'hi world',
    hostname: nonEmpty(env.CI_HOSTNAME),
    commit: nonEmpty(env.CI_COMMIT_SHA),
    instance: nonEmpty(env.NOMAD_ALLOC_ID),
  };
}

/** NOMAD_PORT_http (set by Nomad for the port labelled "http"), else PORT, else 5000. */
export function portFromEnv(env: Env): number {
  const raw = nonEmpty(env.NOMAD_PORT_http) ?? nonEmpty(env.PORT) ?? '5000';
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) {
    throw new Error(`invalid port ${JSON.stringify(raw)} (from NOMAD_PORT_http or PORT): expected 0-65535`);
  }
  return port;
}

/** Git's usual short form; anything that is not a hex commit id is shown as given. */
export function shortCommit(sha: string): string {
  return /^[0-9a-f]{8,64}$/i.test(sha) ? sha.slice(0, 7) : sha;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderPage(config: AppConfig, requestHost: string | undefined): string {
  const host = escapeHtml(config.hostname ?? requestHost ?? 'unknown host');
  const commit = config.commit === undefined ? 'unknown' : escapeHtml(shortCommit(config.commit));
  const greeting = escapeHtml(config.greeting);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${greeting} · ${host}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;line-height:1.5}code{background:#eee;padding:0 .25rem}</style>
</head>
<body>
<h1>${greeting}</h1>
<p>Served by <strong>${host}</strong> at commit <code>${commit}</code>.</p>
</body>
</html>
`;
}

export type Log = (line: string) => void;

export interface App {
  server: http.Server;
  /** Stops accepting, closes websockets (1001 "going away") and waits for open
   *  connections; whatever is still open after graceMs is cut. */
  close(graceMs?: number): Promise<void>;
}

const WS_PATH = '/ws';

export function createApp(config: AppConfig, log: Log = (line) => console.log(line)): App {
  // noServer: upgrades are routed below, so other paths get a plain 404.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  wss.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
    socket.on('error', (err) => log(`websocket error: ${err.message}`));
  });

  const server = http.createServer((req, res) => {
    const started = performance.now();
    const path = pathOf(req.url);
    const reply = route(config, req.method, path, req.headers.host);
    res.on('finish', () => log(`${req.method} ${path} ${res.statusCode} ${elapsed(started)}ms`));
    if (config.instance) res.setHeader('X-Instance', config.instance);
    res.writeHead(reply.status, reply.headers);
    res.end(reply.body); // Node leaves the body out for HEAD
  });

  // Node 20 sends every request with an Upgrade header here, not to the handler above.
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const started = performance.now();
    const path = pathOf(req.url);
    const websocket = req.headers.upgrade?.toLowerCase() === 'websocket';
    if (path === WS_PATH && websocket) {
      // handleUpgrade answers 400 itself when the handshake is invalid.
      wss.handleUpgrade(req, socket, head, (ws) => {
        log(`${req.method} ${path} 101 ${elapsed(started)}ms`);
        wss.emit('connection', ws, req);
      });
      return;
    }
    // Any other upgrade (e.g. curl's h2c) is ignored, as HTTP allows: answer as usual, then close.
    const reply = route(config, req.method, path, req.headers.host);
    socket.on('error', () => socket.destroy());
    socket.end(rawResponse(reply, req.method === 'HEAD'));
    log(`${req.method} ${path} ${reply.status} ${elapsed(started)}ms`);
  });

  // A client that sends nothing for a minute is dropped (Node's default is no limit on this).
  server.headersTimeout = 60_000;

  let closing: Promise<void> | undefined;
  const close = (graceMs = 3000): Promise<void> =>
    (closing ??= new Promise<void>((resolve) => {
      const cut = setTimeout(() => {
        for (const ws of wss.clients) ws.terminate();
        server.closeAllConnections();
      }, graceMs);
      cut.unref();
      for (const ws of wss.clients) ws.close(1001, 'server shutting down');
      // close() also drops idle keep-alive connections (Node >= 19).
      server.close(() => {
        clearTimeout(cut);
        wss.close();
        resolve();
      });
      server.closeIdleConnections();
    }));

  return { server, close };
}

interface Reply {
  status: number;
  headers: Record<string, string | number>;
  body: string;
}

function route(config: AppConfig, method: string | undefined, path: string, host: string | undefined): Reply {
  if (path !== '/' && path !== '/healthcheck' && path !== WS_PATH) {
    return reply(404, 'text/plain; charset=utf-8', 'not found\n');
  }
  if (method !== 'GET' && method !== 'HEAD') {
    return reply(405, 'text/plain; charset=utf-8', 'method not allowed\n', { Allow: 'GET, HEAD' });
  }
  if (path === WS_PATH) {
    return reply(426, 'text/plain; charset=utf-8', 'this is a websocket endpoint\n', { Upgrade: 'websocket', Connection: 'Upgrade' });
  }
  if (path === '/healthcheck') {
    return reply(200, 'text/plain; charset=utf-8', 'ok');
  }
  return reply(200, 'text/html; charset=utf-8', renderPage(config, host));
}

function reply(status: number, type: string, body: string, extra: Record<string, string> = {}): Reply {
  return {
    status,
    headers: {
      'Content-Type': type,
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...extra,
    },
    body,
  };
}

function rawResponse({ status, headers, body }: Reply, head: boolean): string {
  const lines = [`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}`];
  for (const [name, value] of Object.entries({ ...headers, Connection: 'close' })) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n${head ? '' : body}`;
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q === -1 ? raw : raw.slice(0, q);
}

function elapsed(started: number): string {
  return (performance.now() - started).toFixed(1);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
