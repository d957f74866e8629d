import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nomadConfig, parseExportLines, withConfigFile } from '../../../src/nomad/config.js';

describe('reaching Nomad', () => {
  it('reads ~/.config/nomad export lines for what the environment leaves unset', () => {
    const file = 'export NOMAD_ADDR=https://nomad.example.com:4646\nexport NOMAD_TOKEN="abc"\n# comment\nNOMAD_NAMESPACE=team\n';
    assert.deepEqual(parseExportLines(file), { NOMAD_ADDR: 'https://nomad.example.com:4646', NOMAD_TOKEN: 'abc', NOMAD_NAMESPACE: 'team' });
    const config = nomadConfig(withConfigFile({ NOMAD_TOKEN: 'from-env', NOMAD_NAMESPACE: ' ', PATH: '/bin' }, `${file}OTHER=x\n`));
    assert.equal(config.address, 'https://nomad.example.com:4646');
    assert.equal(config.token, 'from-env');
    assert.equal(config.namespace, 'team', 'a blank variable counts as unset');
    assert.equal(withConfigFile({}, 'OTHER=x\n').OTHER, undefined, 'only NOMAD_* comes from the file');
  });

  it('refuses credentials in the address, without printing them', () => {
    assert.throws(() => nomadConfig({ NOMAD_ADDR: 'https://ci:hunter2@nomad.example.com' }), (e: Error) => /NOMAD_ADDR "https:\/\/\*\*\*@nomad\.example\.com" carries credentials/.test(e.message) && !e.message.includes('hunter2'));
  });

  it('refuses an address without a scheme, naming NOMAD_ADDR', () => {
    assert.throws(() => nomadConfig({ NOMAD_ADDR: '127.0.0.1:4646' }), /NOMAD_ADDR "127\.0\.0\.1:4646" is not an http:\/\/ or https:\/\/ address/);
  });

  it('defaults to the local agent', () => {
    assert.equal(nomadConfig({}).address, 'http://127.0.0.1:4646');
    assert.equal(nomadConfig({ NOMAD_SKIP_VERIFY: 'true' }).skipVerify, true);
  });
});
