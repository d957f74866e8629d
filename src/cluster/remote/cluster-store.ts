import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyPair } from './cluster-pki.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Where a cluster's keys and tokens live on this machine: ~/.config/nom/clusters/<name>/. */
export function clusterDir(env: Env, homedir: string, name: string): string {
  return join(env.XDG_CONFIG_HOME || join(homedir, '.config'), 'nom', 'clusters', name);
}

/** What nom keeps about a cluster it created. */
export interface ClusterRecord {
  readonly name: string;
  /** `https://<first host>:4646` */
  readonly address: string;
  readonly hosts: readonly { readonly spec: string; readonly address: string }[];
  readonly namespace: string;
  /** `--trusted`: the docker plugin mounts host paths; the namespace is granted everything. */
  readonly trusted?: boolean;
  /** `--host-volume`, as given: every node offers them. */
  readonly hostVolumes?: readonly string[];
  /** `--consul`: Consul servers beside Nomad's. */
  readonly consul?: boolean;
}

/**
 * A cluster's files: the CA (its key 0600), the gossip key, the management and CI tokens (0600),
 * `nomad` (the ~/.config/nomad form: NOMAD_ADDR, NOMAD_TOKEN, NOMAD_CACERT) and cluster.json.
 */
export class ClusterStore {
  constructor(readonly dir: string) {}

  private read(file: string): string | undefined {
    const path = join(this.dir, file);
    return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
  }

  /**
   * Writes a file with its final mode from the start (no moment at 0644), and tightens a file
   * or directory that an older nom or a person left more open.
   */
  private write(file: string, text: string, mode: number): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    const path = join(this.dir, file);
    if (existsSync(path)) chmodSync(path, mode);
    writeFileSync(path, `${text.trim()}\n`, { mode });
    chmodSync(path, mode);
  }

  get caCertPath(): string {
    return join(this.dir, 'ca.pem');
  }

  ca(): KeyPair | undefined {
    const cert = this.read('ca.pem');
    const key = this.read('ca-key.pem');
    return cert && key ? { cert: `${cert}\n`, key: `${key}\n` } : undefined;
  }

  saveCa(ca: KeyPair): void {
    this.write('ca.pem', ca.cert, 0o644);
    this.write('ca-key.pem', ca.key, 0o600);
  }

  gossipKey(): string | undefined {
    return this.read('gossip.key');
  }

  saveGossipKey(key: string): void {
    this.write('gossip.key', key, 0o600);
  }

  managementToken(): string | undefined {
    return this.read('management-token');
  }

  /** Kept the moment ACLs are bootstrapped: Nomad gives it once, and a later step may fail. */
  saveManagementToken(token: string): void {
    this.write('management-token', token, 0o600);
  }

  ciToken(): { accessor: string; secret: string } | undefined {
    const [accessor, secret] = (this.read('ci-token') ?? '').split(/\s+/);
    return accessor && secret ? { accessor, secret } : undefined;
  }

  saveCiToken(accessor: string, secret: string): void {
    this.write('ci-token', `${accessor} ${secret}`, 0o600);
  }

  routerToken(): { accessor: string; secret: string } | undefined {
    const [accessor, secret] = (this.read('router-token') ?? '').split(/\s+/);
    return accessor && secret ? { accessor, secret } : undefined;
  }

  saveRouterToken(accessor: string, secret: string): void {
    this.write('router-token', `${accessor} ${secret}`, 0o600);
  }

  /** Consul's gossip key and tokens (`--consul`): management, then Nomad's, the agents', the reader's (accessor and secret). */
  consulSecret(name: 'gossip.key' | 'management-token' | 'nomad-token' | 'agent-token' | 'reader-token'): string | undefined {
    return this.read(`consul-${name}`);
  }

  /** Kept the moment it exists (a bootstrap token is given once). */
  saveConsulSecret(name: 'gossip.key' | 'management-token' | 'nomad-token' | 'agent-token' | 'reader-token', value: string): void {
    this.write(`consul-${name}`, value, 0o600);
  }

  record(): ClusterRecord | undefined {
    const text = this.read('cluster.json');
    return text ? (JSON.parse(text) as ClusterRecord) : undefined;
  }

  /** The management token and how to reach the cluster, in the file form the nomad CLI's users keep. */
  saveAccess(record: ClusterRecord, managementToken: string): string {
    this.write('management-token', managementToken, 0o600);
    this.write('cluster.json', JSON.stringify(record, null, 2), 0o644);
    this.write('nomad', exportLines(record.address, managementToken, this.caCertPath).join('\n'), 0o600);
    return join(this.dir, 'nomad');
  }
}

/** The `export` lines that point the nomad CLI (and nom) at a cluster. */
export function exportLines(address: string, token: string, caCert: string): string[] {
  return [`export NOMAD_ADDR=${address}`, `export NOMAD_TOKEN=${token}`, `export NOMAD_CACERT=${caCert}`];
}
