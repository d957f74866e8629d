import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

/** A certificate and its private key, PEM. */
export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

const YEAR = 365 * 86_400_000;

/** PEM as written to files: \n line ends (forge writes \r\n), one final newline. */
const pem = (text: string) => `${text.replace(/\r\n/g, '\n').trim()}\n`;

function rsaKeys() {
  const k = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    pem: k.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicKey: forge.pki.publicKeyFromPem(k.publicKey.export({ type: 'spki', format: 'pem' }) as string),
    privateKey: forge.pki.privateKeyFromPem(k.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string),
  };
}

function certificate(publicKey: forge.pki.PublicKey, years: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // Positive, random, unique: what RFC 5280 asks of a serial number.
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + years * YEAR);
  return cert;
}

/** The cluster's own CA: it signs every node's certificate, and clients trust only it. */
export function createClusterCa(clusterName: string): KeyPair {
  const keys = rsaKeys();
  const ca = certificate(keys.publicKey, 10);
  const name = [{ name: 'commonName', value: `nom cluster ${clusterName} CA` }];
  ca.setSubject(name);
  ca.setIssuer(name);
  ca.setExtensions([{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }, { name: 'subjectKeyIdentifier' }]);
  ca.sign(keys.privateKey, forge.md.sha256.create());
  return { cert: pem(forge.pki.certificateToPem(ca)), key: pem(keys.pem) };
}

/**
 * A node's certificate, for its agent as server and client of `region` (the names Nomad checks
 * with verify_server_hostname) and for the addresses and names clients use to reach it.
 */
export function nodeCertificate(ca: KeyPair, o: { region: string; names: readonly string[] }): KeyPair {
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const keys = rsaKeys();
  const cert = certificate(keys.publicKey, 5);
  cert.setSubject([{ name: 'commonName', value: `server.${o.region}.nomad` }]);
  cert.setIssuer(caCert.subject.attributes);
  const names = [...new Set([`server.${o.region}.nomad`, `client.${o.region}.nomad`, 'localhost', '127.0.0.1', ...o.names])];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames: names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.key), forge.md.sha256.create());
  return { cert: pem(forge.pki.certificateToPem(cert)), key: pem(keys.pem) };
}

/** The names and addresses a certificate is for (for checking that a node's still fits). */
export function certificateNames(pem: string): string[] {
  const ext = forge.pki.certificateFromPem(pem).getExtension('subjectAltName') as { altNames?: { type: number; value?: string; ip?: string }[] } | undefined;
  return (ext?.altNames ?? []).map((a) => a.ip ?? a.value ?? '').filter(Boolean);
}

/** Whether `pem` is a certificate that `caPem` signed (false for anything unreadable). */
export function signedBy(pem: string, caPem: string): boolean {
  try {
    return forge.pki.certificateFromPem(caPem).verify(forge.pki.certificateFromPem(pem));
  } catch {
    return false;
  }
}

/** A gossip encryption key: 32 random bytes, base64, as `nomad operator gossip keyring generate` makes. */
export function gossipKey(): string {
  return randomBytes(32).toString('base64');
}
