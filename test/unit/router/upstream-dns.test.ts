import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import dnsPacket from 'dns-packet';
import { connect } from 'node:net';
import { serveUpstreamDns } from '../../../src/router/dns-server.js';
import { routingTable, type JobServices, type RoutingInput, type ServiceInstance } from '../../../src/router/routing-table.js';
import { addressName, addressOf, dnsAnswer, srvName } from '../../../src/router/upstream-dns.js';
import { freePort } from '../../helpers/free-port.js';

const instance = (over: Partial<ServiceInstance>): ServiceInstance => ({
  namespace: 'default', jobId: 'web', serviceName: 'web', allocId: 'a1', address: '127.0.0.1', port: 20001, tags: ['https://web.example.com'], createIndex: 10, ...over,
});
/** The job "web" as its spec declares it: the house job's tags and canary tags. */
const webJob = (over: Partial<JobServices> = {}): JobServices => ({
  namespace: 'default', jobId: 'web', createIndex: 5, services: [{ name: 'web', tags: ['https://web.example.com'], canaryTags: ['https://canary-web.example.com'] }], ...over,
});
const table = (input: Partial<RoutingInput>) => routingTable({ jobs: [], instances: [], healthy: () => true, ...input });

describe('the upstream DNS', () => {
  const noInstance = { target: addressName('127.0.0.1'), port: 4652 };
  const t = table({ instances: [instance({ allocId: 'a', address: '10.0.0.5', port: 21034 }), instance({ allocId: 'b', address: 'fd00::1', port: 21035 })] });

  it('names a route\'s instances by scheme and hostname, rooted', () => {
    assert.equal(srvName({ scheme: 'https', host: 'web.example.com' }), '_https._tcp.web.example.com.');
    assert.equal(srvName({ scheme: 'http', host: '*.example.com' }), '_http._tcp._star.example.com.');
  });

  it('points a sleeping job\'s route without instances at the wake listener, and one with instances at them', () => {
    const wake = { target: addressName('127.0.0.1'), port: 4653 };
    const sleeping = table({ jobs: [webJob({ asleep: true })] });
    assert.deepEqual(dnsAnswer(sleeping, '_https._tcp.web.example.com.', 'SRV', noInstance, wake), { rcode: 'NOERROR', srv: [wake] });
    // Woken and healthy, while the router still counts it as waking: its instances.
    const woken = table({ jobs: [webJob()], instances: [instance({ port: 21034 })], waking: new Set(['default/web']) });
    assert.deepEqual(dnsAnswer(woken, '_https._tcp.web.example.com.', 'SRV', noInstance, wake), { rcode: 'NOERROR', srv: [{ target: addressName('127.0.0.1'), port: 21034 }] });
    // Awake without a healthy instance: 503 as before.
    assert.deepEqual(dnsAnswer(table({ jobs: [webJob()] }), '_https._tcp.web.example.com.', 'SRV', noInstance, wake), { rcode: 'NOERROR', srv: [noInstance] });
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
