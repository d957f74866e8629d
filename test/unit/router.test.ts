import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localAgentConfig } from '../../src/cluster/local-agent-config.js';
import { caCertPath, ingressPorts, localRouterConfig } from '../../src/cluster/local-ingress.js';
import { localLayout } from '../../src/cluster/local-layout.js';
import { caddyConfig, DEFAULT_HSTS, type IngressOptions } from '../../src/router/caddy-config.js';
import dnsPacket from 'dns-packet';
import { connect } from 'node:net';
import { serveUpstreamDns } from '../../src/router/dns-server.js';
import { routingTable, type JobServices, type RoutingInput, type ServiceInstance } from '../../src/router/routing-table.js';
import { routeClaim } from '../../src/router/service-tags.js';
import { addressName, addressOf, dnsAnswer, srvName } from '../../src/router/upstream-dns.js';
import { freePort } from '../helpers/free-port.js';

const instance = (over: Partial<ServiceInstance>): ServiceInstance => ({
  namespace: 'default', jobId: 'web', serviceName: 'web', allocId: 'a1', address: '127.0.0.1', port: 20001, tags: ['https://web.example.com'], createIndex: 10, ...over,
});
/** The job "web" as its spec declares it: the house job's tags and canary tags. */
const webJob = (over: Partial<JobServices> = {}): JobServices => ({
  namespace: 'default', jobId: 'web', createIndex: 5, services: [{ name: 'web', tags: ['https://web.example.com'], canaryTags: ['https://canary-web.example.com'] }], ...over,
});
const table = (input: Partial<RoutingInput>) => routingTable({ jobs: [], instances: [], healthy: () => true, ...input });
const upstreamsOf = (t: ReturnType<typeof routingTable>) => Object.fromEntries(t.routes.map((r) => [r.host, r.upstreams]));

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
    const t = table({ instances: [instance({ allocId: 'a1', port: 1 }), instance({ allocId: 'a2', port: 2 }), instance({ allocId: 'a3', port: 3 })], healthy: (id) => id !== 'a3' });
    assert.deepEqual(t.routes, [{ host: 'web.example.com', scheme: 'https', owner: 'default/web', upstreams: ['127.0.0.1:1', '127.0.0.1:2'] }]);
  });

  it('knows a running job\'s hostnames from its spec, before any instance registers', () => {
    const t = table({ jobs: [webJob()] });
    assert.deepEqual(t.routes.map((r) => [r.scheme, r.host, r.owner, r.upstreams]), [
      ['https', 'canary-web.example.com', 'default/web', []],
      ['https', 'web.example.com', 'default/web', []],
    ]);
  });

  it('a canary hostname shows the current instances while no canary runs', () => {
    const t = table({ jobs: [webJob()], instances: [instance({ allocId: 'v1', port: 1 })] });
    assert.deepEqual(upstreamsOf(t), { 'canary-web.example.com': ['127.0.0.1:1'], 'web.example.com': ['127.0.0.1:1'] });
  });

  it('during a canary deployment the canary hostname reaches only the canary, the main one only the old version', () => {
    const t = table({ jobs: [webJob()], instances: [instance({ allocId: 'v1', port: 1 }), instance({ allocId: 'canary', port: 2, tags: ['https://canary-web.example.com'] })] });
    assert.deepEqual(upstreamsOf(t), { 'canary-web.example.com': ['127.0.0.1:2'], 'web.example.com': ['127.0.0.1:1'] });
  });

  it('a canary that is not healthy yet gets no traffic, and the canary hostname does not fall back to the old version', () => {
    const t = table({ jobs: [webJob()], instances: [instance({ allocId: 'v1', port: 1 }), instance({ allocId: 'canary', port: 2, tags: ['https://canary-web.example.com'] })], healthy: (id) => id !== 'canary' });
    assert.deepEqual(upstreamsOf(t), { 'canary-web.example.com': [], 'web.example.com': ['127.0.0.1:1'] });
  });

  it('a hostname belongs to the first job that claimed it: a later claim gets no traffic', () => {
    const t = table({ instances: [instance({ jobId: 'hijacker', allocId: 'h', port: 9, createIndex: 50 }), instance({ createIndex: 10 })] });
    assert.deepEqual(t.routes, [{ host: 'web.example.com', scheme: 'https', owner: 'default/web', upstreams: ['127.0.0.1:20001'] }]);
    assert.deepEqual(t.conflicts, [{ host: 'web.example.com', owner: 'default/web', claimant: 'default/hijacker' }]);
  });

  it('a claim only in a job\'s spec does not take a hostname another job serves', () => {
    const t = table({ jobs: [webJob({ jobId: 'older-job', createIndex: 1 })], instances: [instance({ createIndex: 10 })] });
    assert.equal(t.routes.find((r) => r.host === 'web.example.com')!.owner, 'default/web');
  });

  it('the owner keeps its hostname while its instances are away, even when another job has some', () => {
    const previousOwners = new Map([['https://web.example.com', 'default/web']]);
    const t = table({ jobs: [webJob()], instances: [instance({ jobId: 'hijacker', allocId: 'h', createIndex: 50 })], previousOwners });
    assert.deepEqual(t.routes.find((r) => r.host === 'web.example.com'), { host: 'web.example.com', scheme: 'https', owner: 'default/web', upstreams: [] });
    assert.deepEqual(t.conflicts, [{ host: 'web.example.com', owner: 'default/web', claimant: 'default/hijacker' }]);
  });

  it('the same job name in another namespace is another job', () => {
    const t = table({ instances: [instance({ namespace: 'team-b', createIndex: 20, allocId: 'b' }), instance({})] });
    assert.equal(t.routes[0]!.owner, 'default/web');
    assert.equal(t.conflicts[0]!.claimant, 'team-b/web');
  });
});

describe('the upstream DNS', () => {
  const noInstance = { target: addressName('127.0.0.1'), port: 4652 };
  const t = table({ instances: [instance({ allocId: 'a', address: '10.0.0.5', port: 21034 }), instance({ allocId: 'b', address: 'fd00::1', port: 21035 })] });

  it('names a route\'s instances by scheme and hostname, rooted', () => {
    assert.equal(srvName({ scheme: 'https', host: 'web.example.com' }), '_https._tcp.web.example.com.');
    assert.equal(srvName({ scheme: 'http', host: '*.example.com' }), '_http._tcp._star.example.com.');
  });

  it('answers a route\'s healthy instances as SRV records whose targets are names of their addresses', () => {
    assert.deepEqual(dnsAnswer(t, '_https._tcp.web.example.com', 'SRV', noInstance), {
      rcode: 'NOERROR',
      srv: [{ target: 'ip4-10-0-0-5.nom.internal', port: 21034 }, { target: 'ip6-fd00-0-0-0-0-0-0-1.nom.internal', port: 21035 }],
    });
    assert.deepEqual(dnsAnswer(t, 'ip4-10-0-0-5.nom.internal.', 'A', noInstance), { rcode: 'NOERROR', address: { type: 'A', ip: '10.0.0.5' } });
    assert.deepEqual(dnsAnswer(t, 'ip6-fd00-0-0-0-0-0-0-1.nom.internal.', 'AAAA', noInstance), { rcode: 'NOERROR', address: { type: 'AAAA', ip: 'fd00:0:0:0:0:0:0:1' } });
    assert.deepEqual(dnsAnswer(t, 'ip4-10-0-0-5.nom.internal.', 'AAAA', noInstance), { rcode: 'NOERROR' });
  });

  it('sends a route without a healthy instance to the 503 listener, never an empty answer', () => {
    const empty = table({ jobs: [webJob()] });
    assert.deepEqual(dnsAnswer(empty, '_https._tcp.web.example.com.', 'SRV', noInstance), { rcode: 'NOERROR', srv: [noInstance] });
  });

  it('says it does not know yet before its first read of Nomad, and that unknown names do not exist', () => {
    assert.deepEqual(dnsAnswer(undefined, '_https._tcp.web.example.com.', 'SRV', noInstance), { rcode: 'SERVFAIL' });
    assert.deepEqual(dnsAnswer(t, '_https._tcp.other.example.com.', 'SRV', noInstance), { rcode: 'NXDOMAIN' });
  });

  it('turns every address into a name and back', () => {
    const canonical = (ip: string) => (ip.includes(':') ? new URL(`http://[${ip}]`).hostname : ip);
    for (const ip of ['127.0.0.1', '10.255.0.17', '::1', 'fd00::1:2', '2001:db8:0:0:1::']) {
      const back = addressOf(addressName(ip))!;
      assert.equal(back.type, ip.includes(':') ? 'AAAA' : 'A');
      assert.equal(canonical(back.ip), canonical(ip));
    }
    assert.equal(addressOf('ip4-999-1-1-1.nom.internal.'), undefined);
  });

  it('serves DNS over TCP: length-prefixed, several queries on one connection, flags and rcodes set', async () => {
    const port = await freePort();
    const server = serveUpstreamDns((name, type) => dnsAnswer(t, name, type, noInstance), port);
    try {
      const socket = connect({ host: '127.0.0.1', port });
      const replies: dnsPacket.DecodedPacket[] = [];
      let pending = Buffer.alloc(0);
      const two = new Promise<void>((resolve) =>
        socket.on('data', (chunk: Buffer) => {
          pending = Buffer.concat([pending, chunk]);
          while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
            replies.push(dnsPacket.decode(pending.subarray(2, 2 + pending.readUInt16BE(0))));
            pending = pending.subarray(2 + pending.readUInt16BE(0));
          }
          if (replies.length === 2) resolve();
        }),
      );
      socket.write(Buffer.concat([
        dnsPacket.streamEncode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'SRV', name: '_https._tcp.web.example.com' }] }),
        dnsPacket.streamEncode({ type: 'query', id: 8, questions: [{ type: 'SRV', name: '_https._tcp.nothing.example.com' }] }),
      ]));
      await two;
      socket.destroy();
      const [srv, missing] = replies;
      assert.equal(srv!.id, 7);
      assert.equal(srv!.flags! & 0xf, 0, 'rcode NOERROR');
      assert.equal(srv!.flag_aa, true);
      assert.deepEqual(srv!.answers!.map((a) => (a as dnsPacket.SrvAnswer).data), [
        { priority: 0, weight: 1, port: 21034, target: 'ip4-10-0-0-5.nom.internal' },
        { priority: 0, weight: 1, port: 21035, target: 'ip6-fd00-0-0-0-0-0-0-1.nom.internal' },
      ]);
      assert.equal(missing!.id, 8);
      assert.equal(missing!.flags! & 0xf, 3, 'rcode NXDOMAIN');
    } finally {
      server.close();
    }
  });
});

describe('the Caddy document', () => {
  const options: IngressOptions = {
    httpsPort: 8443, httpPort: 8080, bindHost: '127.0.0.1', adminListen: '127.0.0.1:4649', upstreamDns: 'tcp/127.0.0.1:4651', noInstancePort: 4652,
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

  it('proxies each HTTPS hostname with HSTS, instances from the router\'s DNS, least-connections, retries and a stream close delay', () => {
    const route = https.routes[0];
    assert.deepEqual(route.match, [{ host: ['web.example.com'] }]);
    assert.deepEqual(route.handle[0], { handler: 'headers', response: { set: { 'Strict-Transport-Security': [DEFAULT_HSTS] } } });
    const proxy = route.handle[1];
    assert.equal(proxy.upstreams, undefined);
    assert.deepEqual(proxy.dynamic_upstreams, { source: 'srv', name: '_https._tcp.web.example.com.', refresh: '250ms', grace_period: '2s', resolver: { addresses: ['tcp/127.0.0.1:4651'] }, dial_timeout: '1s' });
    assert.deepEqual(proxy.transport, { protocol: 'http', resolver: { addresses: ['tcp/127.0.0.1:4651'] } });
    assert.equal(proxy.load_balancing.selection_policy.policy, 'least_conn');
    assert.equal(proxy.load_balancing.retries, 2);
    assert.ok(proxy.stream_close_delay);
  });

  it('answers 503 on a loopback listener of its own, where the DNS sends routes without a healthy instance', () => {
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
    assert.equal(http.routes[0].handle[0].routes[1].handle[0].dynamic_upstreams.name, '_http._tcp.plain.example.com.');
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

describe('the local ingress', () => {
  it('listens on loopback with the internal CA, admin ports next to Nomad\'s', () => {
    const layout = localLayout('/srv/nom');
    const config = localRouterConfig(layout, ingressPorts(4646, { https: 8443, http: 8080 }), 4646);
    assert.equal(config.caddyAdmin, 'http://127.0.0.1:4649');
    assert.equal(config.statusPort, 4650);
    assert.equal(config.dnsPort, 4651);
    assert.equal(config.ingress.upstreamDns, 'tcp/127.0.0.1:4651');
    assert.equal(config.ingress.noInstancePort, 4652);
    assert.equal(config.ingress.bindHost, '127.0.0.1');
    assert.deepEqual(config.ingress.tls, { mode: 'internal' });
    assert.equal(caCertPath(config), '/srv/nom/caddy/data/pki/authorities/local/root.crt');
    assert.ok(localAgentConfig({ dataDir: '/d', httpPort: 4646, homeDir: '/home' }));
  });
});
