/**
 * The router's ACME modes against a real ACME CA on loopback: Let's Encrypt's test server,
 * Pebble, which validates each order over HTTP-01 or TLS-ALPN-01 by connecting to the hostname
 * (its mock DNS, pebble-challtestsrv, resolves every name to 127.0.0.1) — so a certificate
 * proves that Caddy, configured by the router, answered the challenge. A second Caddy and router
 * run beside the cluster's own, on free ports, following the same Nomad.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { cacheDir, findBinary } from '../../src/cluster/binaries.js';
import { startIngress } from '../../src/cluster/local-ingress.js';
import { localLayout } from '../../src/cluster/local-layout.js';
import { isRunning, readPid, waitFor } from '../../src/cluster/processes.js';
import { NomadClient } from '../../src/nomad/client.js';
import { nomadConfig } from '../../src/nomad/config.js';
import { renderJob } from '../../src/render/render-job.js';
import { DEFAULT_HSTS, PRIVATE_RANGES, type IngressOptions } from '../../src/router/caddy-config.js';
import type { RouterConfig } from '../../src/router/router-config.js';
import { freePort } from '../helpers/free-port.js';

const NOM = fileURLToPath(new URL('../../bin/nom', import.meta.url));
const CERTS = process.env.NOM_PEBBLE_CERTS!;
const BIN = join(cacheDir(process.env, homedir()), 'bin');
const HOST = 'acme-it.nom.test';
const nomad = new NomadClient(nomadConfig(process.env));
const work = mkdtempSync(join(tmpdir(), 'nom-acme-'));
const children: ChildProcess[] = [];
const ports = { dns: 0, challMgmt: 0, acme: 0, acmeMgmt: 0, https: 0, http: 0 };
let pebbleRoot = '';
let stopping = false;

function daemon(command: string, args: string[], env: Record<string, string> = {}): void {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr = (stderr + c).slice(-2000)));
  child.on('exit', (code, signal) => {
    if (!stopping) console.error(`${command} exited early (${code ?? signal}):\n${stderr}`);
  });
  children.push(child);
}

/** GET over HTTPS with a given CA, `servername` for SNI; the peer certificate comes back too. */
function get(port: number, servername: string, path: string, ca: string | Buffer): Promise<{ status: number; body: string; issuer: string }> {
  return new Promise((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port, servername, path, ca, agent: false, headers: { Host: servername } }, (res) => {
        const issuer = String((res.socket as TLSSocket).getPeerCertificate().issuer?.CN ?? '');
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body, issuer }));
      })
      .on('error', reject);
  });
}

before(async () => {
  for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
  // The CA's DNS: every name is 127.0.0.1, so the CA validates against our Caddy.
  daemon(join(BIN, 'pebble-challtestsrv'), ['-defaultIPv4', '127.0.0.1', '-defaultIPv6', '', '-dnsserver', `127.0.0.1:${ports.dns}`, '-management', `127.0.0.1:${ports.challMgmt}`, '-http01', '', '-https01', '', '-tlsalpn01', '', '-doh', '']);
  const config = join(work, 'pebble.json');
  writeFileSync(config, JSON.stringify({
    pebble: {
      listenAddress: `127.0.0.1:${ports.acme}`, managementListenAddress: `127.0.0.1:${ports.acmeMgmt}`,
      certificate: join(CERTS, 'localhost', 'cert.pem'), privateKey: join(CERTS, 'localhost', 'key.pem'),
      httpPort: ports.http, tlsPort: ports.https, ocspResponderURL: '', externalAccountBindingRequired: false,
    },
  }));
  daemon(join(BIN, 'pebble'), ['-config', config, '-dnsserver', `127.0.0.1:${ports.dns}`], { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' });
  const minica = readFileSync(join(CERTS, 'pebble.minica.pem'));
  pebbleRoot = await waitFor(() => get(ports.acmeMgmt, 'localhost', '/roots/0', minica).then((r) => (r.status === 200 ? r.body : undefined), () => undefined), {
    timeoutMs: 15_000, onTimeout: () => new Error('Pebble did not start'),
  });

  const result = renderJob(
    { CI_PROJECT_PATH_SLUG: 'acme-it', CI_PROJECT_NAME: 'acme-it', CI_COMMIT_REF_SLUG: 'main', CI_COMMIT_SHA: process.env.NOM_TEST_IMAGE_TAG!, CI_REGISTRY_IMAGE: 'nom.local/examples/hello-world', BASE_DOMAIN: 'nom.test', NOMAD_VAR_CHECK_PATH: '/healthcheck', NOMAD_VAR_COUNT_CANARIES: '0' },
    { renderId: 'acme-test' },
  );
  assert.equal(result.noDeploy, false);
  await nomad.jobs.register(result.job);
});

after(async () => {
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  await nomad.jobs.deregister('acme-it', { purge: true }).catch(() => undefined);
  nomad.close();
  rmSync(work, { recursive: true, force: true });
});

/** A Caddy and a router of their own in `dir`, with `tls`; returns a function that stops both. */
async function ingress(dir: string, tls: IngressOptions['tls'], statusPort: number): Promise<() => Promise<void>> {
  const layout = localLayout(join(work, dir));
  const options: IngressOptions = {
    httpsPort: ports.https, httpPort: ports.http, bindHost: '127.0.0.1', adminListen: `127.0.0.1:${await freePort()}`,
    noInstancePort: await freePort(), tls, storageDir: join(layout.caddyDir, 'data'), hsts: DEFAULT_HSTS, trustedProxies: PRIVATE_RANGES,
  };
  const config: RouterConfig = { caddyAdmin: `http://${options.adminListen}`, statusPort, ingress: options };
  await startIngress({
    layout, config, caddyBinary: findBinary('caddy', process.env, cacheDir(process.env, homedir()))!,
    nomadAddress: process.env.NOMAD_ADDR!, token: process.env.NOMAD_TOKEN!, env: process.env, say: () => {}, fail: (m) => new Error(m), nomCommand: [process.execPath, NOM],
  });
  return async () => {
    for (const file of [layout.routerPid, layout.caddyPid]) {
      const pid = readPid(file)!;
      process.kill(pid, 'SIGTERM');
      await waitFor(async () => (isRunning(pid) ? undefined : true), { timeoutMs: 10_000, onTimeout: () => new Error(`pid ${pid} did not stop`) });
    }
  };
}

const acme = () => ({ ca: `https://127.0.0.1:${ports.acme}/dir`, caRootFiles: [join(CERTS, 'pebble.minica.pem')], email: 'ops@nom.test' });

describe('certificates from an ACME CA', () => {
  it('acme: Caddy gets a certificate from the CA for each routed hostname, answering its challenge itself', async () => {
    const stop = await ingress('acme', { mode: 'acme', ...acme() }, await freePort());
    try {
      const r = await waitFor(() => get(ports.https, HOST, '/', pebbleRoot).then((x) => (x.status === 200 ? x : undefined), () => undefined), {
        timeoutMs: 90_000, intervalMs: 500, onTimeout: () => new Error(`${HOST} never answered with a certificate from the ACME CA`),
      });
      assert.match(r.issuer, /Pebble/);
      assert.match(r.body, /acme-it\.nom\.test/);
    } finally {
      await stop();
    }
  });

  it('on-demand: a certificate is issued at the first handshake, only for hostnames the router routes', async () => {
    const statusPort = await freePort();
    const stop = await ingress('on-demand', { mode: 'on-demand', permissionUrl: `http://127.0.0.1:${statusPort}/tls-allowed`, ...acme() }, statusPort);
    try {
      const r = await waitFor(() => get(ports.https, HOST, '/', pebbleRoot).then((x) => (x.status === 200 ? x : undefined), () => undefined), {
        timeoutMs: 90_000, intervalMs: 500, onTimeout: () => new Error(`${HOST} never answered with an on-demand certificate`),
      });
      assert.match(r.issuer, /Pebble/);
      // A name nothing routes gets no certificate: the router says no, and the handshake fails.
      await assert.rejects(get(ports.https, 'not-routed.nom.test', '/', pebbleRoot), /alert|handshake|ECONNRESET|socket/i);
      const allowed = await fetch(`http://127.0.0.1:${statusPort}/tls-allowed?domain=not-routed.nom.test`);
      assert.equal(allowed.status, 403);
    } finally {
      await stop();
    }
  });
});
