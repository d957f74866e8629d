/**
 * What a service tag asks the router for. `https://host` (optionally `:port` — ignored, the
 * router serves its own ports — and a path, also ignored) routes HTTPS for host;
 * `http://host` routes plain HTTP. The seed's fabio-style tags are understood as its Caddy
 * template understood them: `urlprefix-host:443/` and `urlprefix-host/` route HTTPS,
 * `urlprefix-host/ proto=http` plain HTTP, `urlprefix-:port proto=tcp` nothing (raw TCP), and
 * `urlprefix-host:80/ redirect=…` nothing (HTTP→HTTPS redirects are automatic).
 */
export interface RouteClaim {
  readonly host: string;
  readonly scheme: 'https' | 'http';
}

const HOST = /^[a-z0-9_*]([a-z0-9_.-]*[a-z0-9_])?$/;

export function routeClaim(tag: string): RouteClaim | undefined {
  const url = /^(https?):\/\/([^/:\s]+)(:\d+)?(\/\S*)?$/i.exec(tag.trim());
  if (url) return claim(url[2]!, url[1]!.toLowerCase() as 'https' | 'http');
  const fabio = /^urlprefix-([^/:\s]*)(:\d+)?(\/\S*)?(.*)$/.exec(tag.trim());
  if (!fabio) return undefined;
  const [, host = '', port, , options = ''] = fabio;
  if (!host || /proto=tcp|redirect=/.test(options) || port === ':80') return undefined;
  return claim(host, /proto=http\b/.test(options) ? 'http' : 'https');
}

function claim(host: string, scheme: 'https' | 'http'): RouteClaim | undefined {
  const h = host.toLowerCase();
  return HOST.test(h) ? { host: h, scheme } : undefined;
}
