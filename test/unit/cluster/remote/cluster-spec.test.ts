import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterSpec } from '../../../../src/cluster/remote/cluster-spec.js';

const spec = clusterSpec({ hosts: ['admin@10.0.0.11', '10.0.0.12', 'node3.example.com:2222'], ingress: ['admin@10.0.0.11'], namespace: 'web', nfsPv: 'nfs.example.com:/srv/pv', acmeEmail: 'ops@example.com', baseDomain: 'apps.example.com' });

describe('what nom cluster create is asked', () => {
  it('reads [user@]host[:port], the first host, the ingress hosts and the namespace', () => {
    assert.deepEqual(spec.hosts.map((h) => [h.user, h.host, h.port]), [['admin', '10.0.0.11', undefined], [undefined, '10.0.0.12', undefined], [undefined, 'node3.example.com', 2222]]);
    assert.equal(spec.first.spec, 'admin@10.0.0.11');
    assert.deepEqual(spec.ingress.map((h) => h.spec), ['admin@10.0.0.11']);
    assert.equal(spec.name, '10.0.0.11');
  });

  it('bad input names the argument, before any host is reached', () => {
    assert.throws(() => clusterSpec({ hosts: [] }), /name the hosts/);
    assert.throws(() => clusterSpec({ hosts: ['bad host!'] }), /host "bad host!" is not \[user@\]host\[:port\]/);
    assert.throws(() => clusterSpec({ hosts: ['a', 'a'] }), /host a is named twice/);
    assert.throws(() => clusterSpec({ hosts: ['a', 'b'], first: 'c' }), /--first c is not one of the hosts: a, b/);
    assert.throws(() => clusterSpec({ hosts: ['a'], nfsPv: 'nfs' }), /--nfs-pv "nfs" is not host:\/export/);
    assert.throws(() => clusterSpec({ hosts: ['a'], sleepAfter: '2s' }), /--sleep-after "2s": expected at least 5s/);
    assert.throws(() => clusterSpec({ hosts: ['a'], expireAfter: 'soon' }), /--expire-after "soon": expected a number of days/);
    // It reaches /etc/fstab and a root shell on every node.
    for (const hostile of ["nfs:/x';touch /tmp/PWNED;'", 'nfs:/x $(id)', 'nfs:/x\nother', '-o:/x']) {
      assert.throws(() => clusterSpec({ hosts: ['a'], nfsPv: hostile }), /--nfs-pv .* is not host:\/export/, hostile);
    }
    assert.equal(clusterSpec({ hosts: ['a'], nfsPv: '[fd00::5]:/srv/pv' }).nfsPv, '[fd00::5]:/srv/pv');
    assert.throws(() => clusterSpec({ hosts: ['a'], namespace: 'no spaces' }), /--namespace "no spaces"/);
  });
});
