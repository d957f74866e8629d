import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { InputError } from '../../../src/errors.js';
import { readRouterConfig, routerConfig } from '../../../src/router/router-config.js';

const work = mkdtempSync(join(tmpdir(), 'nom-router-config-'));
after(() => rmSync(work, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
};

describe('the router\'s configuration file', () => {
  it('reads what routerConfig makes', () => {
    const config = routerConfig({ https: 443, http: 80, routerStatus: 4650, noInstance: 4652, wake: 4653 }, '/run/caddy.sock', { bindHost: '', tls: { mode: 'internal' }, storageDir: '/var/lib/caddy' });
    assert.deepEqual(readRouterConfig(file('ok.json', JSON.stringify(config))), config);
  });

  it('a missing, broken or incomplete file is an input error naming --config and what is wrong', () => {
    const refused = (path: string) => {
      try {
        readRouterConfig(path);
      } catch (e) {
        assert.ok(e instanceof InputError, String(e));
        return e.message;
      }
      assert.fail('accepted');
    };
    assert.match(refused(join(work, 'none.json')), /^--config .*none\.json: cannot read it \(ENOENT\)$/);
    assert.match(refused(file('bad.json', '{ nope')), /^--config .*bad\.json is not JSON/);
    assert.match(refused(file('part.json', '{"caddyAdmin": "unix:/x"}')), /^--config .*part\.json lacks "ingress", "statusPort"/);
  });
});
