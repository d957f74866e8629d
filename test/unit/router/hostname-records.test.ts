import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordPath } from '../../../src/router/hostname-records.js';

describe('hostname records', () => {
  it('live at a variable path per hostname, dots as tildes (paths allow no dots)', () => {
    assert.equal(recordPath('www.example.com'), 'nom/hostnames/www~example~com');
    assert.equal(recordPath('my_app.dev.example.com'), 'nom/hostnames/my_app~dev~example~com');
  });

  it('a name too long for a path (128) is hashed; the record keeps the name', () => {
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.example.com`;
    const path = recordPath(long);
    assert.match(path, /^nom\/hostnames\/h-[0-9a-f]{40}$/);
    assert.ok(path.length <= 128);
    assert.notEqual(path, recordPath(`${'a'.repeat(63)}.${'c'.repeat(63)}.example.com`));
  });
});
