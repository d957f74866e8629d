import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { certificateNames, createClusterCa, gossipKey, nodeCertificate, signedBy } from '../../../../src/cluster/remote/cluster-pki.js';

describe('the cluster\'s keys', () => {
  it('a CA, and node certificates it signs for the names Nomad checks and the node\'s addresses', () => {
    const ca = createClusterCa('test');
    const cert = nodeCertificate(ca, { region: 'global', names: ['10.0.0.11', 'node1.example.com'] });
    const x = new X509Certificate(cert.cert);
    assert.ok(x.verify(new X509Certificate(ca.cert).publicKey));
    assert.ok(x.checkHost('server.global.nomad') && x.checkHost('client.global.nomad') && x.checkHost('node1.example.com') && x.checkIP('10.0.0.11') && x.checkIP('127.0.0.1'));
    assert.ok(new X509Certificate(ca.cert).ca);
    assert.deepEqual(certificateNames(cert.cert).sort(), ['10.0.0.11', '127.0.0.1', 'client.global.nomad', 'localhost', 'node1.example.com', 'server.global.nomad']);
    assert.ok(signedBy(cert.cert, ca.cert));
    assert.equal(signedBy(cert.cert, createClusterCa('other').cert), false);
    assert.doesNotMatch(cert.cert + ca.cert, /\r/);
    assert.equal(Buffer.from(gossipKey(), 'base64').length, 32);
  });
});
