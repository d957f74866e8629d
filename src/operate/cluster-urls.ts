import type { RoutingTable, ServiceInstance } from '../router/routing-table.js';
import { routeClaim } from '../router/service-tags.js';
import { type Paint, plainPaint, table } from './terminal-text.js';

/** One routed URL of the cluster, as `nom urls` shows it (and `--json` prints). */
export interface RoutedUrl {
  readonly url: string;
  readonly job: string;
  readonly healthy: number;
  readonly instances: number;
  /** Other jobs that tag the same hostname and get none of its traffic. */
  readonly refused: readonly string[];
  /** A canary hostname while no canary runs shows the current version. */
  readonly currentVersion?: true;
  /** Its job sleeps: the next request wakes it. */
  readonly asleep?: true;
}

/** The routing table as URLs, with healthy and registered instances of each. Pure. */
export function routedUrls(table: RoutingTable, instances: readonly ServiceInstance[]): RoutedUrl[] {
  return table.routes.map((r) => {
    const claiming = instances.filter((i) => `${i.namespace}/${i.jobId}` === r.owner && i.tags.some((t) => routeClaim(t)?.host === r.host && routeClaim(t)?.scheme === r.scheme)).length;
    // Instances but none tagged with this hostname: a canary hostname showing the current version.
    const fallback = !claiming && r.upstreams.length > 0;
    return {
      url: `${r.scheme}://${r.host}`,
      job: r.owner,
      healthy: r.upstreams.length,
      instances: fallback ? r.upstreams.length : claiming,
      refused: table.conflicts.filter((c) => c.host === r.host).map((c) => c.claimant),
      ...(fallback ? { currentVersion: true as const } : {}),
      ...(r.asleep && !r.upstreams.length ? { asleep: true as const } : {}),
    };
  });
}

export function urlLines(urls: readonly RoutedUrl[], paint: Paint = plainPaint): string[] {
  if (!urls.length) return ['no routed URLs: no running job tags a hostname'];
  return table(
    ['URL', 'JOB', 'HEALTHY'],
    urls.map((u) => [u.url, u.job, u.asleep ? 'asleep (a request wakes it)' : `${u.healthy}/${u.instances}${u.currentVersion ? ' (no canary: the current version)' : ''}${u.refused.length ? ` (refused: ${u.refused.join(', ')})` : ''}`]),
    (col, value) => (col === 2 ? paint(value, value.startsWith('asleep') ? 'dim' : value.startsWith('0/') ? 'red' : /^(\d+)\/\1\b/.test(value) ? 'green' : 'yellow') : value),
  );
}
