import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routedUrls, urlLines } from '../../../src/operate/cluster-urls.js';
import { routingTable, type ServiceInstance } from '../../../src/router/routing-table.js';

describe('nom urls', () => {
  it('lists routed URLs with healthy and registered instances, and refused claims', () => {
    const inst = (o: Partial<ServiceInstance>): ServiceInstance => ({ namespace: 'default', jobId: 'web', serviceName: 'web', allocId: 'a', address: '10.0.0.1', port: 1, tags: ['https://web.example.com'], createIndex: 1, ...o });
    const instances = [inst({}), inst({ allocId: 'b', port: 2 }), inst({ jobId: 'evil', allocId: 'e', createIndex: 9 })];
    const table = routingTable({ jobs: [], instances, healthy: (id) => id !== 'b' });
    assert.deepEqual(routedUrls(table, instances), [{ url: 'https://web.example.com', job: 'default/web', healthy: 1, instances: 2, refused: ['default/evil'] }]);
    assert.match(urlLines(routedUrls(table, instances))[1]!, /^https:\/\/web\.example\.com\s+default\/web\s+1\/2 \(refused: default\/evil\)$/);
  });
});
