import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePorts } from '../../../src/settings/ports.js';

describe('NOMAD_VAR_PORTS', () => {
  it('tells the http port, extra HTTPS ports and raw TCP ports apart', () => {
    assert.deepEqual(parsePorts('{ 5000 = "http", 8080 = "admin", -7777 = "irc" }'), [
      { label: 'http', containerPort: 5000, kind: 'http' },
      { label: 'admin', containerPort: 8080, kind: 'https' },
      { label: 'irc', containerPort: 7777, kind: 'tcp' },
    ]);
  });

  it('keeps -1 as a dynamic port', () => {
    assert.deepEqual(parsePorts('{ -1 = "http" }'), [{ label: 'http', containerPort: -1, kind: 'http' }]);
  });

  it('puts http first whatever the order given', () => {
    assert.deepEqual(parsePorts('{ "8012" = "backend", "8888" = "http" }').map((p) => p.label), ['http', 'backend']);
  });
});
