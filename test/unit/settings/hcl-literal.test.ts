import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValueProblem } from '../../../src/errors.js';
import { parseHclLiteral } from '../../../src/settings/hcl-literal.js';

describe('HCL literals', () => {
  it('reads an HCL map with number keys, negative ones too', () => {
    assert.deepEqual(parseHclLiteral('{ 5000 = "http", 8080 = "admin", -7777 = "irc" }'), { '5000': 'http', '8080': 'admin', '-7777': 'irc' });
  });

  it('reads the JSON spelling of the same map', () => {
    assert.deepEqual(parseHclLiteral('{"5000": "http"}'), { '5000': 'http' });
  });

  it('reads multi-line maps without commas, and comments', () => {
    assert.deepEqual(parseHclLiteral('{\n  5000 = "http" # main\n  6000 = "db"\n}'), { '5000': 'http', '6000': 'db' });
  });

  it('reads lists of maps with bare keys and booleans', () => {
    assert.deepEqual(parseHclLiteral('[{type = "bind", readonly = true, source = "/a", target = "/b"}]'), [
      { type: 'bind', readonly: true, source: '/a', target: '/b' },
    ]);
  });

  it('reads string escapes', () => {
    assert.equal(parseHclLiteral('"a\\"b\\n\\u0041"'), 'a"b\nA');
  });

  for (const bad of ['{ 5000 = http }', '{ 5000 = "http"', '[1, 2', '{ 1 = "a", 1 = "b" }', '"open', '{} extra']) {
    it(`refuses ${bad}`, () => {
      assert.throws(() => parseHclLiteral(bad), ValueProblem);
    });
  }
});
