import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { certificateNames, createClusterCa, gossipKey, nodeCertificate, signedBy } from '../../src/cluster/remote/cluster-pki.js';
import { clusterSpec } from '../../src/cluster/remote/cluster-spec.js';
import { deployPolicy, routerPolicy } from '../../src/cluster/remote/deploy-policy.js';
import { factsScript, hostPlan, readFacts, type DesiredFile, type HostFacts } from '../../src/cluster/remote/host-plan.js';
import {
  clusterRouterConfig, nomadAgentConfig, nomServiceScript, PATHS, routerEnvironment, serviceCommand, serviceDefinitions, systemdUnit,
} from '../../src/cluster/remote/node-files.js';

const GOLDEN = fileURLToPath(new URL('../fixtures/cluster/', import.meta.url));

/** Compares with the golden file; UPDATE_GOLDEN=1 writes it instead. */
function golden(name: string, actual: string): void {
  const path = `${GOLDEN}${name}`;
  if (process.env.UPDATE_GOLDEN || !existsSync(path)) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, actual);
  }
  assert.equal(actual, readFileSync(path, 'utf8'), `${name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it after a deliberate change)`);
}

const spec = clusterSpec({ hosts: ['admin@10.0.0.11', '10.0.0.12', 'node3.example.com:2222'], ingress: ['admin@10.0.0.11'], namespace: 'web', nfsPv: 'nfs.example.com:/srv/pv', acmeEmail: 'ops@example.com', baseDomain: 'apps.example.com' });
const node = { name: 'node1', address: '10.0.0.11' };
const KEY = 'k5kqQ1mRZ8yjTlfvVv3w3xqF0Jb8W0w7bJbJ3n4vHqU=';

describe('the files of a cluster node', () => {
  it('the Nomad agent: server and client, TLS, gossip key, ACLs, docker volumes, host volumes', () => {
    const config = nomadAgentConfig(spec, node, { servers: ['10.0.0.11', '10.0.0.12', '10.0.0.13'], bootstrapExpect: 3, gossipKey: KEY, nfsPv: true });
    golden('nomad.json', `${JSON.stringify(config, null, 2)}\n`);
    assert.deepEqual((config.server as { server_join: { retry_join: string[] } }).server_join.retry_join, ['10.0.0.12', '10.0.0.13'], 'a node does not join itself');
  });

  it('systemd units that restart on failure, and the same services for hosts without systemd', () => {
    for (const s of serviceDefinitions(true)) {
      // Docker's own package brings its unit.
      if (s.name !== 'docker') golden(`${s.name}.service`, systemdUnit(s));
      golden(`${s.name}.cmd`, serviceCommand(s));
    }
    assert.deepEqual(serviceDefinitions(false).map((s) => s.name), ['docker', 'nomad']);
  });

  it('nom-service, the service wrapper, is valid sh that shellcheck accepts', () => {
    const script = nomServiceScript();
    golden('nom-service', script);
    assert.equal(spawnSync('sh', ['-n', '-c', script]).status, 0);
    const check = spawnSync('shellcheck', ['-s', 'sh', '-'], { input: script, encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout);
  });

  it('the router of an ingress node, its environment, and the deploy and router policies', () => {
    golden('router.json', `${JSON.stringify(clusterRouterConfig(spec), null, 2)}\n`);
    golden('nom-router.env', routerEnvironment(node, '00000000-1111-2222-3333-444444444444'));
    golden('deploy-web.hcl', deployPolicy('web').Rules);
    golden('nom-router.hcl', routerPolicy().Rules);
  });
});

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

describe('what is done on a host', () => {
  const sha = (t: string) => createHash('sha256').update(t).digest('hex');
  const file = (path: string, text: string, restarts: DesiredFile['restarts']): DesiredFile => ({ path, mode: '0644', sha256: sha(text), content: () => Buffer.from(text), restarts });
  const files = [file(PATHS.nomadConfig, '{"a":1}', ['nomad']), file(PATHS.service, '#!/bin/sh', [])];
  const services = serviceDefinitions(false);
  const fresh = readFacts(['address=10.0.0.11', 'hostname=node1', 'arch=x86_64', 'os=ubuntu debian', 'systemd=1', 'docker=0', 'docker_running=0'].join('\n'));

  it('reads the facts a host prints', () => {
    const facts = readFacts([
      'address=10.0.0.11', 'hostname=node1', 'arch=aarch64', 'os=debian', 'systemd=0', 'docker=1', 'docker_running=1',
      `file ${'a'.repeat(64)} ${PATHS.nomadConfig}`, 'running nomad', 'pv_mount=nfs.example.com:/srv/pv',
      `nomad_config=${Buffer.from('{"server":{"encrypt":"x"}}').toString('base64')}`, 'node_version=v20.20.2',
    ].join('\n'));
    assert.deepEqual([facts.address, facts.arch, facts.os, facts.systemd, facts.dockerRunning, facts.files.get(PATHS.nomadConfig), [...facts.running], facts.pvMount, facts.nomadConfig, facts.nodeVersion], [
      '10.0.0.11', 'arm64', ['debian'], false, true, 'a'.repeat(64), ['nomad'], 'nfs.example.com:/srv/pv', { server: { encrypt: 'x' } }, 'v20.20.2',
    ]);
    assert.equal(readFacts('node_version=v18.19.0').nodeVersion, undefined, 'node 18 cannot run the router');
    assert.equal(spawnSync('sh', ['-n', '-c', factsScript([PATHS.nomadConfig])]).status, 0);
  });

  it('a new Ubuntu host: Docker installed, NFS mounted, files written, services started', () => {
    const steps = hostPlan('node1', fresh, { files, services, nfsPv: 'nfs.example.com:/srv/pv' });
    assert.deepEqual(steps.map((s) => s.title), [
      'install Docker (Debian\'s docker.io)', `mount nfs.example.com:/srv/pv at ${PATHS.pv} (NFS, in /etc/fstab)`, `write ${PATHS.nomadConfig}`, `write ${PATHS.service}`,
      `create ${PATHS.dataDir}, ${PATHS.pv} and ${PATHS.home}`, 'start docker', 'start nomad',
    ]);
    for (const s of steps) assert.equal(spawnSync('sh', ['-n', '-c', s.script]).status, 0, s.title);
  });

  it('a host that is already right: nothing', () => {
    const done: HostFacts = { ...fresh, dockerInstalled: true, dockerRunning: true, pvMount: 'nfs.example.com:/srv/pv', files: new Map(files.map((f) => [f.path, f.sha256])), running: new Set(['nomad']) };
    assert.deepEqual(hostPlan('node1', done, { files, services, nfsPv: 'nfs.example.com:/srv/pv' }), []);
    const changed = hostPlan('node1', { ...done, files: new Map([[PATHS.service, files[1]!.sha256], [PATHS.nomadConfig, 'old']]) }, { files, services, nfsPv: 'nfs.example.com:/srv/pv' });
    assert.deepEqual(changed.map((s) => s.title), [`write ${PATHS.nomadConfig}`, 'restart nomad']);
  });

  it('Docker is installed for people only on Debian and Ubuntu; elsewhere it says so', () => {
    assert.throws(() => hostPlan('node1', { ...fresh, os: ['fedora'] }, { files, services, nfsPv: undefined }), /node1: Docker is not installed, and nom installs it only on Debian and Ubuntu \(this is fedora\)/);
  });
});

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
    assert.throws(() => clusterSpec({ hosts: ['a'], namespace: 'no spaces' }), /--namespace "no spaces"/);
  });
});
