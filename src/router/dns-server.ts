import dnsPacket from 'dns-packet';
import net from 'node:net';
import type { DnsAnswer } from './upstream-dns.js';

const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3 } as const;

/**
 * The router's upstream DNS over TCP on loopback (Caddy is configured with `tcp/` resolver
 * addresses): over TCP a stopped router refuses at once, so Caddy falls back to its cached
 * answers instead of waiting for a UDP timeout.
 */
export function serveUpstreamDns(answer: (name: string, type: string) => DnsAnswer, port: number, host = '127.0.0.1'): net.Server {
  const server = net.createServer((socket) => {
    let pending = Buffer.alloc(0);
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      // Each message is preceded by its length (RFC 1035 §4.2.2); a connection may carry several.
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const message = pending.subarray(2, 2 + pending.readUInt16BE(0));
        pending = pending.subarray(2 + message.length);
        const reply = respond(message, answer);
        if (!reply) return void socket.destroy();
        socket.write(reply);
      }
    });
  });
  server.listen(port, host);
  return server;
}

/** The length-prefixed reply to one query, or undefined when it is not one we can read. */
function respond(message: Buffer, answer: (name: string, type: string) => DnsAnswer): Buffer | undefined {
  let query: dnsPacket.DecodedPacket;
  try {
    query = dnsPacket.decode(message);
  } catch {
    return undefined;
  }
  const question = query.questions?.[0];
  if (query.type !== 'query' || !question) return undefined;
  const a = answer(question.name, question.type);
  const answers: dnsPacket.Answer[] = [];
  if (a.rcode === 'NOERROR') {
    for (const s of a.srv ?? []) answers.push({ type: 'SRV', name: question.name, ttl: 0, class: 'IN', data: { priority: 0, weight: 1, port: s.port, target: s.target } });
    if (a.address) answers.push({ type: a.address.type, name: question.name, ttl: 0, class: 'IN', data: a.address.ip });
  }
  const flags = dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_AVAILABLE | ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | RCODE[a.rcode];
  return dnsPacket.streamEncode({ type: 'response', id: query.id ?? 0, flags, questions: [question], answers });
}
