import type { ConsulClient } from '../consul/client.js';
import { followIndex } from './follow-index.js';
import type { WatchLog } from './nomad-watch.js';

/**
 * Says when Consul's services or checks may have changed, so the router reads them again at
 * once: blocking queries on the catalog's service list (registrations, deregistrations, tags)
 * and on every check's state (health). After a disconnect each starts over from index 0, which
 * counts as a change, so what happened meanwhile is read then.
 */
export class ConsulWatch {
  private readonly stopped = new AbortController();

  constructor(
    private readonly consul: ConsulClient,
    private readonly onChange: () => void,
    private readonly log: WatchLog,
  ) {}

  stop(): void {
    this.stopped.abort();
  }

  async run(): Promise<void> {
    const signal = this.stopped.signal;
    const lost = (e: unknown) => this.log.warn(`lost Consul (${(e as Error).message}): following it again once it answers`);
    await Promise.all([
      followIndex((index) => this.consul.catalog.services(index, 300, signal), this.onChange, signal, lost),
      followIndex((index) => this.consul.health.state(index, 300, signal), this.onChange, signal),
    ]);
  }
}
