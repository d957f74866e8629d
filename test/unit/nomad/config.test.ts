import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nomadConfig, parseExportLines } from '../../../src/nomad/config.js';

describe('reaching Nomad', () => {
  it('reads ~/.config/nomad export lines for what the environment leaves unset', () => {
    const file = 'export NOMAD_ADDR=https://nomad.example.com:4646\nexport NOMAD_TOKEN="abc"\n# comment\nNOMAD_NAMESPACE=team\n';
    assert.deepEqual(parseExportLines(file), { NOMAD_ADDR: 'https://nomad.example.com:4646', NOMAD_TOKEN: 'abc', NOMAD_NAMESPACE: 'team' });
    const config = nomadConfig({ NOMAD_TOKEN: 'from-env' }, file);
    assert.equal(config.address, 'https://nomad.example.com:4646');
    assert.equal(config.token, 'from-env');
    assert.equal(config.namespace, 'team');
  });

  it('defaults to the local agent', () => {
    assert.equal(nomadConfig({}).address, 'http://127.0.0.1:4646');
    assert.equal(nomadConfig({ NOMAD_SKIP_VERIFY: 'true' }).skipVerify, true);
  });
});
