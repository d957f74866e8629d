import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LinePrefixer, lastLines } from '../../../src/operate/log-text.js';

describe('log text', () => {
  it('keeps the last lines, and the final newline', () => {
    assert.equal(lastLines('a\nb\nc\n', 2), 'b\nc\n');
    assert.equal(lastLines('a\nb\nc', 2), 'b\nc');
    assert.equal(lastLines('a\nb\n', 0), 'a\nb\n');
  });

  it('prefixes whole lines only, holding a line that arrives in pieces', () => {
    const p = new LinePrefixer('[1a2b] ');
    assert.equal(p.push('GET / 2'), '');
    assert.equal(p.push('00\nGET /x 404\npart'), '[1a2b] GET / 200\n[1a2b] GET /x 404\n');
    assert.equal(p.flush(), '[1a2b] part\n');
  });
});
