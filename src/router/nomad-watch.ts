import type { NomadClient } from '../nomad/client.js';
import type { EventBatch } from '../nomad/events.js';
import { NomadError, type Indexed } from '../nomad/http.js';
import { followIndex, pause } from './follow-index.js';

export interface WatchLog {
  info(line: string): void;
  warn(line: string): void;
}

/** The event topics whose changes can change a route. */
const TOPICS = ['Job', 'Allocation', 'Service'];

/**
 * Says when Nomad's jobs, allocations or service registrations may have changed, so the router
 * reads them again at once instead of polling. It follows Nomad's event stream in every
 * namespace and, after a disconnect, resumes from the last index it saw. When the stream is not
 * available (an older Nomad, or the event broker off) it falls back to blocking queries on the
 * three lists. It calls `onChange` after every (re)connection too: what happened while it was
 * away is read then.
 */
export class NomadWatch {
  /** The index of the last event seen: a new stream resumes after it. */
  lastIndex = 0;
  mode: 'events' | 'blocking' = 'events';
  private stopped = new AbortController();

  constructor(
    private readonly nomad: NomadClient,
    /** With the batch that says what changed; without one when what changed is unknown (a reconnect, a blocking query). */
    private readonly onChange: (batch?: EventBatch) => void,
    private readonly log: WatchLog,
    /** Start in this mode; 'blocking' skips the event stream. */
    mode: 'events' | 'blocking' = 'events',
  ) {
    this.mode = mode;
  }

  stop(): void {
    this.stopped.abort();
  }

  async run(): Promise<void> {
    let backoff = 250;
    while (!this.stopped.signal.aborted && this.mode === 'events') {
      this.onChange();
      try {
        await this.nomad.events.stream(
          { topics: TOPICS, namespace: '*', index: this.lastIndex ? this.lastIndex + 1 : 0 },
          (batch) => {
            this.lastIndex = Math.max(this.lastIndex, batch.Index);
            backoff = 250;
            this.onChange(batch);
          },
          this.stopped.signal,
        );
        // Nomad ended the stream (a restart, a leader change): resume where it stopped.
      } catch (e) {
        if (e instanceof NomadError && e.status !== undefined && e.status >= 400 && e.status < 500 && e.status !== 429) {
          this.log.warn(`Nomad's event stream is not available (${e.message}): following it with blocking queries`);
          this.mode = 'blocking';
          break;
        }
      }
      await this.pause(backoff);
      backoff = Math.min(backoff * 2, 5000);
    }
    if (this.mode === 'blocking' && !this.stopped.signal.aborted) {
      await Promise.all([
        this.block((index) => this.nomad.jobs.listBlocking({ namespace: '*' }, index)),
        this.block((index) => this.nomad.allocations.listBlocking({ namespace: '*' }, index)),
        this.block((index) => this.nomad.services.list(index, 300)),
      ]);
    }
  }

  private block(query: (index: number) => Promise<Indexed<unknown>>): Promise<void> {
    return followIndex(query, () => this.onChange(), this.stopped.signal);
  }

  private pause(ms: number): Promise<void> {
    return pause(ms, this.stopped.signal);
  }
}
