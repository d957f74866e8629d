import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routeClaim } from '../../../src/router/service-tags.js';

describe('service tags', () => {
  it('reads https:// and http:// tags, lower-cased, port and path ignored', () => {
    assert.deepEqual(routeClaim('https://Web.Example.com'), { host: 'web.example.com', scheme: 'https' });
    assert.deepEqual(routeClaim('https://canary-web.example.com/'), { host: 'canary-web.example.com', scheme: 'https' });
    assert.deepEqual(routeClaim('http://plain.example.com:8080/x'), { host: 'plain.example.com', scheme: 'http' });
  });

  it('understands the seed\'s urlprefix- tags as its template did', () => {
    assert.deepEqual(routeClaim('urlprefix-web.example.com:443/'), { host: 'web.example.com', scheme: 'https' });
    assert.deepEqual(routeClaim('urlprefix-web.example.com/ proto=http'), { host: 'web.example.com', scheme: 'http' });
    assert.equal(routeClaim('urlprefix-web.example.com:80/ redirect=308,https://web.example.com$path'), undefined);
    assert.equal(routeClaim('urlprefix-:7777 proto=tcp'), undefined);
  });

  it('ignores anything else', () => {
    for (const tag of ['web', 'traefik.enable=true', 'https://', 'https://bad host']) assert.equal(routeClaim(tag), undefined);
  });
});
