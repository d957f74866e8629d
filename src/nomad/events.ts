import type { NomadHttp } from './http.js';

/** One event of Nomad's event stream. */
export interface NomadEvent {
  Topic: string;
  Type: string;
  Key: string;
  Namespace: string;
  Index: number;
  Payload: Record<string, unknown>;
}

/** A batch of events at one Raft index (heartbeats arrive as `{}` and are not passed on). */
export interface EventBatch {
  Index: number;
  Events: NomadEvent[];
}

/** /v1/event/stream */
export class Events {
  constructor(private readonly http: NomadHttp) {}

  /**
   * GET /v1/event/stream: `onBatch` gets each batch until Nomad ends the stream or `signal`
   * aborts it. `topics` are `Topic` or `Topic:key`; `index` resumes after a disconnect (Nomad
   * replays what its buffer still holds from there).
   */
  stream(
    query: { topics: readonly string[]; index?: number; namespace?: string },
    onBatch: (batch: EventBatch) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    let pending = '';
    return this.http.stream(
      '/v1/event/stream',
      {
        query: { topic: query.topics, index: query.index || undefined, namespace: query.namespace },
        capability: `the read-job capability in namespace "${query.namespace ?? 'default'}"`,
        ...(signal ? { signal } : {}),
      },
      (text) => {
        // One JSON object per line; a chunk may end inside one.
        const lines = (pending + text).split('\n');
        pending = lines.pop()!;
        for (const line of lines) {
          if (!line.trim()) continue;
          const batch = JSON.parse(line) as Partial<EventBatch>;
          if (batch.Index !== undefined && batch.Events) onBatch(batch as EventBatch);
        }
      },
    );
  }
}
