import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { nomadConfig } from '../../../src/nomad/config.js';
import { NomadError, NomadHttp, isTransient } from '../../../src/nomad/http.js';

describe('the retry rule', () => {
  it('retries refused connections, 5xx (a new cluster without a leader) and 429', () => {
    assert.equal(isTransient(new NomadError('GET /v1/jobs', undefined, '', 'ECONNREFUSED')), true);
    assert.equal(isTransient(new NomadError('POST /v1/acl/bootstrap', 500, 'No cluster leader')), true);
    assert.equal(isTransient(new NomadError('GET /v1/jobs', 429, '')), true);
  });

  it('never retries an answer: 4xx, unknown socket errors, other errors', () => {
    assert.equal(isTransient(new NomadError('GET /v1/job/x', 404, 'job not found')), false);
    assert.equal(isTransient(new NomadError('GET /v1/jobs', 403, 'Permission denied')), false);
    assert.equal(isTransient(new NomadError('GET /v1/jobs', undefined, '', 'CERT_HAS_EXPIRED')), false);
    assert.equal(isTransient(new Error('boom')), false);
  });

  it('a write safe to repeat is retried through "No cluster leader", and the caller is told each wait', async () => {
    let calls = 0;
    const server = http.createServer((req, res) => {
      calls++;
      if (calls < 3) return void res.writeHead(500).end('No cluster leader');
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"EvalID":"e1"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = new NomadHttp(nomadConfig({ NOMAD_ADDR: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
    try {
      const waits: string[] = [];
      const answer = await client.request<{ EvalID: string }>('POST', '/v1/jobs', { idempotent: true, attempts: 10, onRetry: (e) => waits.push(e.body) });
      assert.equal(answer.EvalID, 'e1');
      assert.deepEqual(waits, ['No cluster leader', 'No cluster leader']);
      calls = 0;
      await assert.rejects(client.request('POST', '/v1/jobs'), /Nomad answered 500/, 'a write not marked safe is sent once');
      assert.equal(calls, 1);
    } finally {
      client.close();
      server.close();
    }
  });
});
