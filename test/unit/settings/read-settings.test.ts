import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../../src/errors.js';
import { readSettings } from '../../../src/settings/read-settings.js';

/** The one error line readSettings gives for this environment. */
function problem(env: Record<string, string>): string {
  try {
    readSettings(env);
  } catch (e) {
    assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
    assert.equal(e.lines.length, 1, e.message);
    return e.lines[0]!;
  }
  assert.fail('expected the settings to be refused');
}

describe('settings', () => {
  it('has the contract defaults', () => {
    const { settings } = readSettings({});
    assert.equal(settings.MEMORY, 300);
    assert.equal(settings.CPU, 100);
    assert.equal(settings.COUNT, undefined); // 1, or 3 in production: decided by naming
    assert.equal(settings.COUNT_CANARIES, 1);
    assert.equal(settings.CHECK_PROTOCOL, 'http');
    assert.equal(settings.CHECK_PATH, '/');
    assert.equal(settings.CHECK_TIMEOUT, 2e9);
    assert.equal(settings.HEALTH_TIMEOUT, 20e9);
    assert.deepEqual(settings.PORTS, [{ label: 'http', containerPort: 5000, kind: 'http' }]);
    assert.equal(settings.NETWORK_MODE, 'bridge');
    assert.equal(settings.NAMESPACE, 'default');
  });

  it('counts blank values as unset', () => {
    const { settings, fromEnv } = readSettings({ NOMAD_VAR_MEMORY: '', NOMAD_VAR_COUNT: '  ' });
    assert.equal(settings.MEMORY, 300);
    assert.equal(settings.COUNT, undefined);
    assert.equal(fromEnv.size, 0);
  });

  it('reads values as pipelines write them', () => {
    const { settings } = readSettings({
      NOMAD_VAR_MEMORY: '1000',
      NOMAD_VAR_CHECK_PROTOCOL: 'tcp',
      NOMAD_VAR_CHECK_TIMEOUT: '1m',
      NOMAD_VAR_HEALTH_TIMEOUT: '3m',
      NOMAD_VAR_FORCE_PULL: 'true',
      NOMAD_VAR_COUNT_CANARIES: '0',
      NOMAD_VAR_HOME: 'ro',
      NOMAD_VAR_HOSTNAMES: '["www.example.com", "store"]',
      NOMAD_VAR_VOLUMES: '["/usr/games:/usr/games:ro"]',
      NOMAD_VAR_BIND_MOUNTS: '[{type = "bind", readonly = true, source = "/usr/games", target = "/usr/games"}]',
    });
    assert.equal(settings.MEMORY, 1000);
    assert.equal(settings.CHECK_PROTOCOL, 'tcp');
    assert.equal(settings.CHECK_TIMEOUT, 60e9);
    assert.equal(settings.HEALTH_TIMEOUT, 180e9);
    assert.equal(settings.FORCE_PULL, true);
    assert.equal(settings.COUNT_CANARIES, 0);
    assert.equal(settings.HOME, 'ro');
    assert.deepEqual(settings.HOSTNAMES, ['www.example.com', 'store']);
    assert.deepEqual(settings.VOLUMES, ['/usr/games:/usr/games:ro']);
    assert.deepEqual(settings.BIND_MOUNTS, [{ source: '/usr/games', target: '/usr/games', readonly: true }]);
  });

  describe('bad input names the variable, its value and what is allowed', () => {
    const cases: [string, string, RegExp][] = [
      ['MEMORY', 'lots', /^NOMAD_VAR_MEMORY is "lots": expected a whole number of MB from 1 to 1048576, like 1000$/],
      ['MEMORY', '0', /^NOMAD_VAR_MEMORY is "0": expected a whole number of MB from 1 to/],
      ['MEMORY', '99999999999999999999', /^NOMAD_VAR_MEMORY is "99999999999999999999": expected a whole number of MB from 1 to 1048576/],
      ['HEALTH_TIMEOUT', '9999999h', /^NOMAD_VAR_HEALTH_TIMEOUT is "9999999h": expected a duration of at most 24h/],
      ['CPU', '1.5', /^NOMAD_VAR_CPU is "1.5": expected a whole number of MHz/],
      ['COUNT', '-1', /^NOMAD_VAR_COUNT is "-1": expected a whole number from 0 to 1000, like 3$/],
      ['COUNT_CANARIES', 'two', /^NOMAD_VAR_COUNT_CANARIES is "two": expected a whole number/],
      ['CHECK_PROTOCOL', 'grpc', /^NOMAD_VAR_CHECK_PROTOCOL is "grpc": expected one of: http, tcp$/],
      ['CHECK_PATH', 'healthcheck', /^NOMAD_VAR_CHECK_PATH is "healthcheck": expected a path that starts with \//],
      ['CHECK_TIMEOUT', 'soon', /^NOMAD_VAR_CHECK_TIMEOUT is "soon": expected a duration with a unit, like 2s, 1m or 1h30m$/],
      ['HEALTH_TIMEOUT', '20', /^NOMAD_VAR_HEALTH_TIMEOUT is "20": expected a duration with a unit/],
      ['PORTS', '{ 5000 = "web" }', /^NOMAD_VAR_PORTS is "\{ 5000 = \\"web\\" \}": no port is named "http": exactly one entry must be/],
      ['PORTS', '{ 5000 = http }', /^NOMAD_VAR_PORTS is .*: unexpected word "http": strings need double quotes at character 10$/],
      ['PORTS', '{ 5000 = "http", 6000 = "http" }', /^NOMAD_VAR_PORTS is .*: port name "http" is used twice/],
      ['PORTS', '{ 70000 = "http" }', /^NOMAD_VAR_PORTS is .*: port "70000" is not a port number/],
      ['PORTS', '[5000]', /^NOMAD_VAR_PORTS is "\[5000\]": expected a map of port number to name/],
      ['PORTS', '{ -80 = "http" }', /^NOMAD_VAR_PORTS is .*: the "http" port cannot be raw TCP/],
      ['HOSTNAMES', '["www.exa mple.com"]', /^NOMAD_VAR_HOSTNAMES is .*: "www.exa mple.com" is not a DNS name/],
      ['HOSTNAMES', '["-bad.example.com"]', /^NOMAD_VAR_HOSTNAMES is .*: "-bad.example.com" is not a DNS name/],
      ['HOSTNAMES', 'www.example.com', /^NOMAD_VAR_HOSTNAMES is "www.example.com": unexpected word "www"/],
      ['HOME', 'yes', /^NOMAD_VAR_HOME is "yes": expected one of: ro, rw$/],
      ['NETWORK_MODE', 'overlay', /^NOMAD_VAR_NETWORK_MODE is "overlay": expected one of: bridge, host$/],
      ['FORCE_PULL', 'maybe', /^NOMAD_VAR_FORCE_PULL is "maybe": expected true or false$/],
      ['PERSISTENT_VOLUME', 'data', /^NOMAD_VAR_PERSISTENT_VOLUME is "data": expected an absolute path/],
      ['VOLUMES', '["/a"]', /^NOMAD_VAR_VOLUMES is .*: volume "\/a" is not host:container/],
      ['BIND_MOUNTS', '[{ source = "/a" }]', /^NOMAD_VAR_BIND_MOUNTS is .*: each mount needs type = "bind", absolute source and target/],
      ['NAMESPACE', 'team a', /^NOMAD_VAR_NAMESPACE is "team a": expected a name of letters, digits and -/],
    ];
    for (const [name, value, expected] of cases) {
      it(`${name}=${value}`, () => {
        assert.match(problem({ [`NOMAD_VAR_${name}`]: value }), expected);
      });
    }
  });

  it('reports every bad setting at once, one line each', () => {
    assert.throws(
      () => readSettings({ NOMAD_VAR_MEMORY: 'lots', NOMAD_VAR_HOME: 'yes' }),
      (e: InputError) => e.lines.length === 2 && e.lines[0]!.startsWith('NOMAD_VAR_MEMORY') && e.lines[1]!.startsWith('NOMAD_VAR_HOME'),
    );
  });

  it('warns about a likely misspelt setting, and about ignored ones', () => {
    const { warnings } = readSettings({ NOMAD_VAR_MEMROY: '1000', NOMAD_VAR_POSTGRESQL_PASSWORD: 'x', NOMAD_VAR_CONSUL_PATH: '/usr/bin/consul' });
    assert.deepEqual(warnings, [
      'NOMAD_VAR_CONSUL_PATH is ignored: secrets now live in Nomad Variables, so Consul is not used',
      'NOMAD_VAR_MEMROY is not a setting of nom; did you mean NOMAD_VAR_MEMORY? (overlays may still use it)',
    ]);
  });
});
