import { createHash } from 'node:crypto';
import type { NomadClient } from '../nomad/client.js';
import { NomadError } from '../nomad/http.js';
import type { Variable } from '../nomad/variables.js';

/**
 * Who owns each hostname, recorded in the cluster so that every router, on every ingress node
 * and after every restart, routes a hostname to the same job. The routers write the records
 * (check-and-set, first claim wins) with their own token; a deploy token may only read them, so
 * a pipeline cannot rewrite who owns what. A record goes when its job is purged, or when an
 * operator releases it (`nom router release`).
 */
export const RECORDS_NAMESPACE = 'default';
export const RECORDS_PREFIX = 'nom/hostnames/';

export interface HostnameRecord {
  readonly host: string;
  /** namespace/job */
  readonly owner: string;
  /** When it was first claimed (ISO time). */
  readonly since: string;
  readonly path: string;
  readonly modifyIndex: number;
}

/** A variable path for a hostname: dots become tildes (paths allow no dots); long names are hashed. Pure. */
export function recordPath(host: string): string {
  const plain = `${RECORDS_PREFIX}${host.replaceAll('.', '~')}`;
  return plain.length <= 128 ? plain : `${RECORDS_PREFIX}h-${createHash('sha256').update(host).digest('hex').slice(0, 40)}`;
}

/** A variable as a record; undefined when it is none of nom's. */
function recordOf(variable: Variable | undefined): HostnameRecord | undefined {
  const items = variable?.Items;
  return variable && items?.host && items.owner ? { host: items.host, owner: items.owner, since: items.since ?? '', path: variable.Path, modifyIndex: variable.ModifyIndex } : undefined;
}

/** Reads and writes the records; items are read again only for paths whose index moved. */
export class HostnameRecords {
  private readonly cache = new Map<string, HostnameRecord>();

  constructor(private readonly nomad: NomadClient) {}

  /** Every record, by hostname. */
  async read(): Promise<Map<string, HostnameRecord>> {
    const listed = await this.nomad.variables.list(RECORDS_PREFIX, RECORDS_NAMESPACE);
    const seen = new Set<string>();
    for (const meta of listed) {
      seen.add(meta.Path);
      if (this.cache.get(meta.Path)?.modifyIndex === meta.ModifyIndex) continue;
      const record = recordOf(await this.nomad.variables.read(meta.Path, RECORDS_NAMESPACE));
      if (record) this.cache.set(meta.Path, record); // a variable that is not nom's record is ignored
    }
    for (const path of this.cache.keys()) if (!seen.has(path)) this.cache.delete(path);
    return new Map([...this.cache.values()].map((r) => [r.host, r]));
  }

  /** Records `owner` for `host` unless someone recorded it first; whether this write made the record. */
  async claim(host: string, owner: string): Promise<boolean> {
    const written = await this.nomad.variables.write(recordPath(host), RECORDS_NAMESPACE, { host, owner, since: new Date().toISOString() }, 0);
    return written !== undefined;
  }

  /** Removes a record (check-and-set on the index it was read at). */
  async release(record: HostnameRecord): Promise<boolean> {
    return this.nomad.variables.delete(record.path, RECORDS_NAMESPACE, record.modifyIndex);
  }
}

/** The records of some hostnames, for a deploy's check; undefined when the token may not read them. */
export async function readRecords(nomad: NomadClient, hosts: readonly string[]): Promise<Map<string, HostnameRecord> | undefined> {
  const found = new Map<string, HostnameRecord>();
  try {
    for (const host of new Set(hosts)) {
      const record = recordOf(await nomad.variables.read(recordPath(host), RECORDS_NAMESPACE));
      if (record) found.set(host, record);
    }
  } catch (e) {
    if (e instanceof NomadError && e.status === 403) return undefined;
    throw e;
  }
  return found;
}
