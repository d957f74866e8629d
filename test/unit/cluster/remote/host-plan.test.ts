import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { factsScript, hostPlan, readFacts, tokenFileStep, type DesiredFile, type HostFacts } from '../../../../src/cluster/remote/host-plan.js';
import { PATHS, serviceDefinitions } from '../../../../src/cluster/remote/node-files.js';

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
    const steps = hostPlan('node1', fresh, { files, services, nfsPv: 'nfs.example.com:/srv/pv', pvDirectories: ['/pv/default'] });
    assert.deepEqual(steps.map((s) => s.title), [
      'install Docker (Debian\'s docker.io)', `mount nfs.example.com:/srv/pv at ${PATHS.pv} (NFS, in /etc/fstab)`, `write ${PATHS.nomadConfig}`, `write ${PATHS.service}`,
      `create ${PATHS.dataDir}, ${PATHS.pv}, /pv/default and ${PATHS.home}`, 'start docker', 'start nomad',
    ]);
    for (const s of steps) assert.equal(spawnSync('sh', ['-n', '-c', s.script]).status, 0, s.title);
  });

  it('a token file is written 0600 from the start and its service restarted, only when the host lacks it', () => {
    const step = tokenFileStep(fresh, PATHS.routerEnv, 'NOMAD_TOKEN=t\n', 'nom-router', 'the router\'s token')!;
    assert.equal(step.title, `write ${PATHS.routerEnv} (the router's token) and restart nom-router`);
    assert.match(step.script, /^set -e\numask 077\n/);
    assert.equal(step.input!().toString(), 'NOMAD_TOKEN=t\n');
    assert.equal(spawnSync('sh', ['-n', '-c', step.script]).status, 0);
    assert.equal(tokenFileStep({ ...fresh, files: new Map([[PATHS.routerEnv, sha('NOMAD_TOKEN=t\n')]]) }, PATHS.routerEnv, 'NOMAD_TOKEN=t\n', 'nom-router', 'the router\'s token'), undefined);
  });

  it('a host that is already right: nothing', () => {
    const done: HostFacts = { ...fresh, dockerInstalled: true, dockerRunning: true, pvMount: 'nfs.example.com:/srv/pv', files: new Map(files.map((f) => [f.path, f.sha256])), running: new Set(['nomad']) };
    assert.deepEqual(hostPlan('node1', done, { files, services, nfsPv: 'nfs.example.com:/srv/pv', pvDirectories: ['/pv/default'] }), []);
    const changed = hostPlan('node1', { ...done, files: new Map([[PATHS.service, files[1]!.sha256], [PATHS.nomadConfig, 'old']]) }, { files, services, nfsPv: 'nfs.example.com:/srv/pv', pvDirectories: ['/pv/default'] });
    assert.deepEqual(changed.map((s) => s.title), [`write ${PATHS.nomadConfig}`, `create ${PATHS.dataDir}, ${PATHS.pv}, /pv/default and ${PATHS.home}`, 'restart nomad']);
  });

  it('a changed configuration with host volumes first checks that their directories exist on the node', () => {
    const steps = hostPlan('node1', fresh, { files, services, nfsPv: undefined, pvDirectories: [], hostVolumes: [{ name: 'games', path: '/usr' }] });
    const check = steps.find((s) => s.title.startsWith('check the host volumes'))!;
    assert.ok(steps.indexOf(check) < steps.findIndex((s) => s.title.startsWith('write')), 'before anything is written');
    assert.equal(spawnSync('sh', ['-c', check.script]).status, 0);
    const missing = spawnSync('sh', ['-c', hostPlan('node1', fresh, { files, services, nfsPv: undefined, pvDirectories: [], hostVolumes: [{ name: 'gone', path: '/nonexistent/dir' }] }).find((s) => s.title.startsWith('check'))!.script], { encoding: 'utf8' });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /the host volume gone: \/nonexistent\/dir is not a directory on this node/);
  });

  it('Docker is installed for people only on Debian and Ubuntu; elsewhere it says so', () => {
    assert.throws(() => hostPlan('node1', { ...fresh, os: ['fedora'] }, { files, services, nfsPv: undefined, pvDirectories: [] }), /node1: Docker is not installed, and nom installs it only on Debian and Ubuntu \(this is fedora\)/);
  });
});
