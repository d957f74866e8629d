import type { NomadClient } from '../nomad/client.js';
import { RECORDS_NAMESPACE } from './hostname-records.js';

/**
 * When each job last had a request, shared by the routers of a cluster: a router knows only the
 * requests through its own Caddy, and with several ingress nodes an app busy through one of them
 * must not be put to sleep by another. Each router writes its own variable
 * (nom/traffic/<router>, items "<namespace>/<job>" → epoch seconds) now and then, and reads them
 * all before it puts a job to sleep.
 */
export const TRAFFIC_PREFIX = 'nom/traffic/';

/** Entries older than this are left out of a router's record: no sleep time is that long. */
const KEEP_MS = 7 * 24 * 3600_000;

/** A router's name as a variable path segment. */
const segment = (name: string) => name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64) || 'router';

/** Items of a router's record from its last requests (newest first, capped: a variable holds 64 KiB). Pure. */
export function trafficItems(last: ReadonlyMap<string, number>, now: number, max = 800): Record<string, string> {
  return Object.fromEntries(
    [...last]
      .filter(([, at]) => now - at < KEEP_MS)
      .sort((a, b) => b[1] - a[1])
      .slice(0, max)
      .map(([job, at]) => [job, String(Math.floor(at / 1000))]),
  );
}

/** The newest request of each job over every router's record. Pure. */
export function newestRequests(records: readonly Readonly<Record<string, string>>[]): Map<string, number> {
  const newest = new Map<string, number>();
  for (const items of records) {
    for (const [job, seconds] of Object.entries(items)) {
      const at = Number(seconds) * 1000;
      if (Number.isFinite(at) && at > (newest.get(job) ?? 0)) newest.set(job, at);
    }
  }
  return newest;
}

export class TrafficRecords {
  private readonly path: string;

  constructor(
    private readonly nomad: NomadClient,
    router: string,
  ) {
    this.path = `${TRAFFIC_PREFIX}${segment(router)}`;
  }

  /** Writes this router's last requests over its previous record. */
  async publish(last: ReadonlyMap<string, number>, now = Date.now()): Promise<void> {
    const items = trafficItems(last, now);
    // Nomad keeps no empty variable; a router without requests has nothing to say yet.
    if (Object.keys(items).length) await this.nomad.variables.put(this.path, RECORDS_NAMESPACE, items);
  }

  /** The newest request of each job through any router. */
  async read(): Promise<Map<string, number>> {
    const listed = await this.nomad.variables.list(TRAFFIC_PREFIX, RECORDS_NAMESPACE);
    const records = await Promise.all(listed.map(async (v) => (await this.nomad.variables.read(v.Path, RECORDS_NAMESPACE))?.Items ?? {}));
    return newestRequests(records);
  }
}
