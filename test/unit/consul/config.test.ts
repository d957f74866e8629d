import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consulConfig } from '../../../src/consul/config.js';
import { InputError } from '../../../src/errors.js';

describe('reaching Consul', () => {
  it('is optional: no CONSUL_HTTP_ADDR, no Consul', () => {
    assert.equal(consulConfig({}), undefined);
    assert.equal(consulConfig({ CONSUL_HTTP_ADDR: ' ' }), undefined);
  });

  it('takes the address as the consul CLI does: with or without a scheme, https with CONSUL_HTTP_SSL', () => {
    assert.equal(consulConfig({ CONSUL_HTTP_ADDR: '127.0.0.1:8500' })!.address, 'http://127.0.0.1:8500');
    assert.equal(consulConfig({ CONSUL_HTTP_ADDR: '10.0.0.1:8501', CONSUL_HTTP_SSL: 'true' })!.address, 'https://10.0.0.1:8501');
    assert.equal(consulConfig({ CONSUL_HTTP_ADDR: 'https://consul.example.com/' })!.address, 'https://consul.example.com');
    assert.equal(consulConfig({ CONSUL_HTTP_ADDR: '127.0.0.1:8500', CONSUL_HTTP_TOKEN: 't' })!.token, 't');
  });

  it('refuses an address that carries credentials, naming the variable and not printing them', () => {
    assert.throws(() => consulConfig({ CONSUL_HTTP_ADDR: 'https://user:hunter2@consul.example.com' }), (e: Error) => e instanceof InputError && /CONSUL_HTTP_ADDR carries credentials/.test(e.message) && !e.message.includes('hunter2'));
    assert.throws(() => consulConfig({ CONSUL_HTTP_ADDR: 'http://[::1' }), /CONSUL_HTTP_ADDR/);
  });
});
