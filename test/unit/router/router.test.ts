import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routeChanges } from '../../../src/router/router.js';
import type { Route } from '../../../src/router/routing-table.js';

const route = (host: string, upstreams: string[], over: Partial<Route> = {}): Route => ({ host, scheme: 'https', owner: `default/${host}`, upstreams, ...over });

describe('the router\'s log of routes', () => {
  it('says what changed, not every route again', () => {
    const before = [route('a.example.com', ['10.0.0.1:1']), route('b.example.com', ['10.0.0.2:1'])];
    assert.equal(routeChanges(before, before), undefined);
    assert.equal(
      routeChanges(before, [route('a.example.com', ['10.0.0.1:1', '10.0.0.3:1']), route('c.example.com', [], { asleep: true })]),
      'https://a.example.com → 2 instance(s), https://c.example.com → asleep, https://b.example.com gone',
    );
  });

  it('counts a thousand changes instead of naming them', () => {
    const many = Array.from({ length: 1000 }, (_, i) => route(`app-${i}.example.com`, ['10.0.0.1:1']));
    const line = routeChanges([], many)!;
    assert.match(line, /^https:\/\/app-0\.example\.com → 1 instance\(s\), /);
    assert.match(line, /, and 988 more \(1000 routes\)$/);
    assert.ok(line.length < 1000);
  });
});
