/**
 * `nom cluster create` over SSH, for real: four machines made on this one (network and mount
 * namespaces, each with its own sshd, Docker engine and, once nom has set it up, Nomad agent;
 * see test/helpers/test-hosts.ts). Three become a cluster; its security is checked from the
 * outside; the CI token deploys; a server is killed and the cluster still deploys; a fourth
 * machine joins; `--consul` then puts Consul servers beside the Nomad servers of all four.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cacheDir, findBinary } from '../../src/cluster/binaries.js';
import { waitFor } from '../../src/cluster/processes.js';
import { NomadClient } from '../../src/nomad/client.js';
import { makeHosts, type TestHost } from '../helpers/test-hosts.js';

const NOM = fileURLToPath(new URL('../../bin/nom', import.meta.url));
const TAG = process.env.NOM_TEST_IMAGE_TAG!;
const IMAGE = `nom.local/examples/hello-world/main:${TAG}`;
const work = mkdtempSync(join(tmpdir(), 'nom-cluster-'));
const home = join(work, 'home');
const binaries = join(work, 'bin');
const sshConfig = join(home, '.ssh', 'config');
let hosts: TestHost[] = [];
let destroy = async () => {};
let clusterFiles = '';

before(async () => {
  ({ hosts, destroy } = await makeHosts(4, work, home));
  // Offline: the binaries nom pushes come from here (--binaries).
  mkdirSync(binaries);
  const cache = cacheDir(process.env, homedir());
  copyFileSync(findBinary('nomad', process.env, cache)!, join(binaries, 'nomad'));
  copyFileSync(findBinary('caddy', process.env, cache)!, join(binaries, 'caddy'));
  copyFileSync(findBinary('consul', process.env, cache)!, join(binaries, 'consul'));
  copyFileSync(process.execPath, join(binaries, 'node'));
  images = execFileSync('docker', ['save', IMAGE, `${IMAGE}-v2`], { maxBuffer: 1024 ** 3 });
});

after(async () => {
  await destroy();
  rmSync(work, { recursive: true, force: true });
});

/** The demo app's images (a real cluster would pull them from a registry). */
let images = Buffer.alloc(0);
/** Into a machine's Docker engine, which runs once nom has set the machine up. */
const loadImages = (h: TestHost) => ssh(h, 'docker load -q', images);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: Record<string, string>, input?: Buffer): Promise<Run> {
  return new Promise((resolve) => {
    // In the test's home: a deploy writes deploy.env where it runs, which is not the repository.
    const child = spawn(command, args, { env: { PATH: process.env.PATH!, HOME: home, ...env }, cwd: home });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const ssh = (h: TestHost, command: string, input?: Buffer) => run('ssh', ['-F', sshConfig, h.address, command], {}, input);
/** nom as a user runs it, with the user's ssh configuration (NOM_SSH: `ssh -F <it>`). */
const nom = (args: string[], env: Record<string, string> = {}) => run(process.execPath, [NOM, ...args], { NOM_SSH: `ssh -F ${sshConfig}`, ...env });

const api = (host: TestHost) => `https://${host.address}:4646`;
const ca = () => readFileSync(join(clusterFiles, 'ca.pem'));
const management = () => readFileSync(join(clusterFiles, 'management-token'), 'utf8').trim();
const client = (token?: string) => new NomadClient({ address: api(hosts[0]!), token, caCert: join(clusterFiles, 'ca.pem'), namespace: undefined, region: undefined, clientCert: undefined, clientKey: undefined, skipVerify: false });

/** A GET over HTTPS trusting `caPem`, answering the status (or the TLS error). */
function httpsGet(url: string, caPem: Buffer | undefined, headers: Record<string, string> = {}, servername?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    https
      .get({ host: u.hostname, port: u.port, path: u.pathname + u.search, ca: caPem, servername, agent: false, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** `nom deploy` of the demo app as a pipeline on main, with `token`, to the cluster. */
const deploy = (token: string, tag: string) =>
  nom(['deploy'], {
    NOMAD_ADDR: api(hosts[0]!), NOMAD_CACERT: join(clusterFiles, 'ca.pem'), NOMAD_TOKEN: token, GITLAB_CI: 'true',
    CI_PROJECT_PATH_SLUG: 'cluster-it', CI_PROJECT_NAME: 'cluster-it', CI_COMMIT_REF_SLUG: 'main', CI_COMMIT_SHA: tag,
    CI_REGISTRY_IMAGE: 'nom.local/examples/hello-world', BASE_DOMAIN: 'nom.test', NOMAD_VAR_CHECK_PATH: '/healthcheck', NOMAD_VAR_MEMORY: '64',
    // The namespace's host volume pv-default, which the CI token's policy may mount.
    NOMAD_VAR_PERSISTENT_VOLUME: '/data',
  });

describe('nom cluster create, over SSH, on three machines', () => {
  /** The first three machines, deployments under nom.test (so the console is at nom.nom.test). */
  const three = () => [...hosts.slice(0, 3).map((h) => h.address), '--base-domain', 'nom.test'];
  /** What the first, killed, run said. */
  let firstRun = '';

  it('--dry-run says what it would do on each host, and changes nothing', async () => {
    const dry = await nom(['cluster', 'create', ...three(), '--ingress', hosts[0]!.address, '--binaries', binaries, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    for (const h of hosts.slice(0, 3)) {
      const a = h.address.replace(/\./g, '\\.');
      assert.match(dry.stderr, new RegExp(`${a}: would write /usr/local/bin/nomad`));
      assert.match(dry.stderr, new RegExp(`${a}: would start nomad`));
      assert.equal((await ssh(h, 'test -e /etc/nomad.d/nomad.json')).code, 1, 'a dry run wrote the agent\'s configuration');
    }
    assert.match(dry.stderr, new RegExp(`${hosts[0]!.address.replace(/\./g, '\\.')}: would start caddy`));
    assert.equal(dry.stdout, '', 'a dry run printed a token');
  });

  it('keeps the management token the moment ACLs are bootstrapped: a run killed right then loses nothing', async () => {
    const killed = await new Promise<{ signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [NOM, 'cluster', 'create', ...three(), '--ingress', hosts[0]!.address, '--binaries', binaries], {
        env: { PATH: process.env.PATH!, HOME: home, NOM_SSH: `ssh -F ${sshConfig}` },
      });
      let stderr = '';
      child.stderr.on('data', (c) => {
        stderr += c;
        if (/bootstrapped ACLs/.test(stderr)) child.kill('SIGKILL');
      });
      child.on('exit', (_code, signal) => resolve({ signal, stderr }));
    });
    assert.equal(killed.signal, 'SIGKILL', `the run ended before it bootstrapped ACLs:\n${killed.stderr}`);
    firstRun = killed.stderr;
    clusterFiles = join(home, '.config', 'nom', 'clusters', hosts[0]!.address);
    assert.match(management(), /^[0-9a-f-]{36}$/);
    assert.equal((execFileSync('stat', ['-c', '%a', join(clusterFiles, 'management-token')], { encoding: 'utf8' }).trim()), '600');
  });

  it('makes a cluster: a leader is elected, gossip is encrypted, the API answers only over TLS from its CA, and anonymous requests are denied', async () => {
    const kept = management();
    // The run after the killed one finishes the job with the token it kept.
    const create = await nom(['cluster', 'create', ...three(), '--ingress', hosts[0]!.address, '--binaries', binaries]);
    assert.equal(create.code, 0, create.stderr);
    assert.equal(management(), kept, 'the rerun lost or replaced the management token');
    const ciToken = create.stdout.trim();
    assert.match(ciToken, /^[0-9a-f-]{36}$/);
    for (const h of hosts.slice(0, 3)) assert.match(firstRun, new RegExp(`${h.address.replace(/\./g, '\\.')}: start nomad`));

    const status = JSON.parse((await nom(['cluster', 'status', '--json'])).stdout);
    assert.equal(status.servers.filter((s: { status: string }) => s.status === 'alive').length, 3);
    assert.equal(status.servers.filter((s: { leader: boolean }) => s.leader).length, 1);
    assert.deepEqual(status.nodes.map((n: { status: string }) => n.status), ['ready', 'ready', 'ready']);
    assert.deepEqual(status.nodes.map((n: { version: string }) => n.version), ['1.6.3', '1.6.3', '1.6.3'], 'the nodes run the open-source Nomad nom is tested on');

    // Only TLS: plain HTTP is refused, and so is a server certificate checked against the system's CAs.
    const plain = await fetch(`http://${hosts[0]!.address}:4646/v1/status/leader`).then((r) => r.status, () => 0);
    assert.notEqual(plain, 200);
    await assert.rejects(httpsGet(`${api(hosts[0]!)}/v1/status/leader`, undefined), /self.signed|unable to get local issuer|certificate/i);
    assert.equal((await httpsGet(`${api(hosts[0]!)}/v1/status/leader`, ca())).status, 200);
    // ACLs: nothing without a token.
    assert.equal((await httpsGet(`${api(hosts[0]!)}/v1/jobs`, ca())).status, 403);
    // Gossip: the key nom minted is the cluster's.
    const nomad = client(management());
    try {
      const keyring = await nomad.agent.keyring();
      assert.deepEqual(Object.keys(keyring.Keys ?? {}), [readFileSync(join(clusterFiles, 'gossip.key'), 'utf8').trim()]);
    } finally {
      nomad.close();
    }
    // The management token is kept 0600, in the form of ~/.config/nomad.
    assert.equal((execFileSync('stat', ['-c', '%a', join(clusterFiles, 'management-token')], { encoding: 'utf8' }).trim()), '600');
    assert.match(readFileSync(join(clusterFiles, 'nomad'), 'utf8'), /^export NOMAD_ADDR=https:\/\/10\.199\.0\.2:4646\nexport NOMAD_TOKEN=[0-9a-f-]{36}\nexport NOMAD_CACERT=/);
  });

  it('running create again changes nothing that is right', async () => {
    // The agents' PIDs (what the login shell says on stderr is the host's business).
    const agentPids = () => Promise.all(hosts.slice(0, 3).map(async (h) => (await ssh(h, 'cat /run/nom/nomad.pid')).stdout.trim()));
    const pids = await agentPids();
    assert.ok(pids.every((p) => /^\d+$/.test(p)), `no agent PID: ${pids}`);
    const again = await nom(['cluster', 'create', ...three(), '--ingress', hosts[0]!.address, '--binaries', binaries]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /\(nothing changed\)/);
    assert.deepEqual(await agentPids(), pids, 'an agent was restarted');
  });

  it('the CI token deploys the demo app into its namespace, routed by the ingress; it cannot read or stop jobs in another', async () => {
    for (const h of hosts.slice(0, 3)) assert.equal((await loadImages(h)).code, 0);
    const ciToken = readFileSync(join(clusterFiles, 'ci-token'), 'utf8').trim().split(' ')[1]!;
    const first = await deploy(ciToken, TAG);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout.trim(), 'https://cluster-it.nom.test');
    // Through Caddy on the ingress machine, with its internal CA.
    const caddyCa = Buffer.from((await ssh(hosts[0]!, 'cat /var/lib/nom/caddy/pki/authorities/local/root.crt')).stdout);
    const page = await waitFor(() => httpsGet(`https://${hosts[0]!.address}/`, caddyCa, { Host: 'cluster-it.nom.test' }, 'cluster-it.nom.test').then((r) => (r.status === 200 ? r : undefined), () => undefined), {
      timeoutMs: 20_000, onTimeout: () => new Error('the deployment did not answer through the ingress'),
    });
    assert.match(page.body, /cluster-it\.nom\.test/);
    // The console at nom.<base domain> on the ingress: its page, and Nomad's API under the visitor's token, through the node's agent over TLS.
    const viaConsole = (path: string, headers: Record<string, string> = {}) => httpsGet(`https://${hosts[0]!.address}${path}`, caddyCa, { Host: 'nom.nom.test', ...headers }, 'nom.nom.test');
    assert.match((await viaConsole('/')).body, /<title>nom console<\/title>/);
    const jobs = await viaConsole('/v1/jobs?namespace=*&meta=true', { 'X-Nomad-Token': ciToken });
    assert.equal(jobs.status, 200, jobs.body);
    assert.ok(JSON.parse(jobs.body).some((j: { ID: string }) => j.ID === 'cluster-it'), jobs.body);
    assert.equal((await viaConsole('/v1/jobs')).status, 403, 'an anonymous visitor reads the jobs');
    assert.equal((await viaConsole('/v1/agent/self', { 'X-Nomad-Token': ciToken })).status, 403);
    const ingress = JSON.parse((await viaConsole('/api/ingress', { 'X-Nomad-Token': ciToken })).body);
    assert.deepEqual(ingress.routes.map((r: { host: string }) => r.host).sort(), ['canary-cluster-it.nom.test', 'cluster-it.nom.test']);
    // Every node offers the namespace's persistent directory, writable by any container user.
    for (const h of hosts.slice(0, 3)) assert.equal((await ssh(h, 'stat -c %a /pv/default')).stdout.trim(), '1777');

    const nomad = client(management());
    try {
      await nomad.namespaces.upsert('other', 'another team');
      const job = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/production-render.json', import.meta.url)), 'utf8')).Job;
      await nomad.jobs.register({ ...job, ID: 'theirs', Name: 'theirs', Namespace: 'other', TaskGroups: job.TaskGroups.map((g: object) => ({ ...g, Count: 0 })) });
    } finally {
      nomad.close();
    }
    const ci = client(ciToken);
    try {
      await assert.rejects(ci.jobs.read('theirs', 'other'), /403/);
      await assert.rejects(ci.jobs.deregister('theirs', { namespace: 'other' }), /403/);
      assert.equal((await ci.jobs.list({ namespace: 'default' })).some((j) => j.ID === 'cluster-it'), true);
    } finally {
      ci.close();
    }
  });

  it('with one of its three servers killed, the cluster still takes a deploy', async () => {
    // Kill a server that neither serves the API nom uses nor runs the app (its allocation would be lost).
    const nomad = client(management());
    let victim: TestHost;
    try {
      const alloc = (await nomad.jobs.allocations('cluster-it')).find((a) => a.ClientStatus === 'running')!;
      victim = hosts.slice(1, 3).find((h) => h.name !== alloc.NodeName)!;
    } finally {
      nomad.close();
    }
    const killed = await ssh(victim, 'p=$(cat /run/nom/nomad.pid); pkill -9 -P "$p"; kill -9 "$p"');
    assert.equal(killed.code, 0, killed.stderr);
    await waitFor(async () => {
      const s = JSON.parse((await nom(['cluster', 'status', '--json'])).stdout || '{"servers":[]}');
      return s.servers.filter((m: { status: string }) => m.status === 'alive').length === 2 ? true : undefined;
    }, { timeoutMs: 60_000, intervalMs: 1000, onTimeout: () => new Error('the killed server still counts as alive') });
    const ciToken = readFileSync(join(clusterFiles, 'ci-token'), 'utf8').trim().split(' ')[1]!;
    const second = await deploy(ciToken, `${TAG}-v2`);
    assert.equal(second.code, 0, second.stderr);
    // And it comes back.
    assert.equal((await ssh(victim, '/usr/local/lib/nom/nom-service start nomad')).code, 0);
  });

  it('nom cluster add joins a fourth machine with the same keys', async () => {
    const add = await nom(['cluster', 'add', hosts[3]!.address, '--first', hosts[0]!.address, '--binaries', binaries]);
    assert.equal(add.code, 0, add.stderr);
    const status = await waitFor(async () => {
      const s = JSON.parse((await nom(['cluster', 'status', '--json'])).stdout || '{"servers":[]}');
      return s.servers.filter((m: { status: string }) => m.status === 'alive').length === 4 ? s : undefined;
    }, { timeoutMs: 90_000, intervalMs: 1000, onTimeout: () => new Error('four servers never were alive') });
    assert.equal(status.nodes.filter((n: { status: string }) => n.status === 'ready').length, 4);
    const gossip = (await ssh(hosts[3]!, 'cat /etc/nomad.d/nomad.json')).stdout;
    assert.equal(JSON.parse(gossip).server.encrypt, readFileSync(join(clusterFiles, 'gossip.key'), 'utf8').trim());
  });

  it('--consul puts Consul beside Nomad on every node (TLS, its own gossip key, ACLs, its API on loopback), and deploys register there and are routed', async () => {
    const all = hosts.map((h) => h.address);
    const create = await nom(['cluster', 'create', ...all, '--ingress', hosts[0]!.address, '--binaries', binaries, '--consul', '--base-domain', 'nom.test']);
    assert.equal(create.code, 0, create.stderr);
    assert.match(create.stderr, /bootstrapped Consul's ACLs/);
    const consulManagement = readFileSync(join(clusterFiles, 'consul-management-token'), 'utf8').trim();
    assert.equal(execFileSync('stat', ['-c', '%a', join(clusterFiles, 'consul-management-token')], { encoding: 'utf8' }).trim(), '600');
    // Four servers gossiping with the key nom kept, over the CA's TLS; the token travels on stdin.
    const consul = (h: TestHost, command: string, token = consulManagement) => ssh(h, `read -r t; CONSUL_HTTP_TOKEN=$t CONSUL_HTTP_ADDR=127.0.0.1:8500 /usr/local/bin/consul ${command}`, Buffer.from(`${token}\n`));
    const members = await waitFor(async () => {
      const m = (await consul(hosts[0]!, 'members')).stdout;
      return (m.match(/ alive +server /g) ?? []).length === 4 ? m : undefined;
    }, { timeoutMs: 60_000, intervalMs: 1000, onTimeout: () => new Error('four Consul servers never were alive') });
    assert.ok(members);
    const config = JSON.parse((await ssh(hosts[1]!, 'cat /etc/consul.d/consul.json')).stdout);
    assert.equal(config.encrypt, readFileSync(join(clusterFiles, 'consul-gossip.key'), 'utf8').trim());
    assert.notEqual(config.encrypt, readFileSync(join(clusterFiles, 'gossip.key'), 'utf8').trim(), 'Consul shares Nomad\'s gossip key');
    assert.equal((await ssh(hosts[1]!, 'stat -c %a /etc/consul.d/consul.json /etc/consul.d/agent-token.json /etc/nomad.d/consul.json')).stdout.trim(), '600\n600\n600');
    // Its API answers on each node's loopback only, and nothing to a caller without a token.
    assert.equal(await fetch(`http://${hosts[0]!.address}:8500/v1/status/leader`).then(() => 'answered', () => 'refused'), 'refused');
    assert.equal((await consul(hosts[0]!, 'catalog services', '')).stdout.trim(), '', 'an anonymous caller sees services');

    for (const h of hosts) assert.equal((await loadImages(h)).code, 0);
    const ciToken = readFileSync(join(clusterFiles, 'ci-token'), 'utf8').trim().split(' ')[1]!;
    const run = await deploy(ciToken, TAG);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /services register in Consul, the cluster's service provider/);
    assert.match((await consul(hosts[0]!, 'catalog services -tags')).stdout, /cluster-it +https:\/\/cluster-it\.nom\.test/);
    const caddyCa = Buffer.from((await ssh(hosts[0]!, 'cat /var/lib/nom/caddy/pki/authorities/local/root.crt')).stdout);
    const page = await waitFor(() => httpsGet(`https://${hosts[0]!.address}/`, caddyCa, { Host: 'cluster-it.nom.test' }, 'cluster-it.nom.test').then((r) => (r.status === 200 ? r : undefined), () => undefined), {
      timeoutMs: 30_000, onTimeout: () => new Error('the deployment did not answer through the ingress'),
    });
    assert.match(page.body, /cluster-it\.nom\.test/);
  });
});
