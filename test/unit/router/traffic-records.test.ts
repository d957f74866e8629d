import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newestRequests, trafficItems } from '../../../src/router/traffic-records.js';

describe('the routers\' shared record of requests', () => {
  it('writes a router\'s last requests in seconds, newest first, leaving out week-old ones and capping the count', () => {
    const now = 1_000_000_000_000;
    const last = new Map([['default/a', now - 5_000], ['team/b', now - 1_000], ['default/old', now - 8 * 24 * 3600_000]]);
    assert.deepEqual(trafficItems(last, now), { 'team/b': String((now - 1_000) / 1000), 'default/a': String((now - 5_000) / 1000) });
    assert.deepEqual(Object.keys(trafficItems(last, now, 1)), ['team/b']);
  });

  it('takes the newest request of each job over every router, ignoring what is not a time', () => {
    assert.deepEqual(
      newestRequests([{ 'default/a': '100', 'default/b': '50' }, { 'default/a': '90', 'default/c': 'soon' }]),
      new Map([['default/a', 100_000], ['default/b', 50_000]]),
    );
  });
});
