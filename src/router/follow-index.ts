/**
 * Follows one list by blocking queries until `signal` aborts: each new index is a change. After
 * a failure it says so once (`onError`), waits (250 ms doubling to 5 s) and starts over from
 * index 0, whose answer counts as a change: what happened meanwhile is read then.
 */
export async function followIndex(query: (index: number) => Promise<{ readonly index: number }>, onChange: () => void, signal: AbortSignal, onError?: (e: unknown) => void): Promise<void> {
  let index = 0;
  let backoff = 250;
  let failing = false;
  while (!signal.aborted) {
    try {
      const next = (await query(index)).index;
      backoff = 250;
      failing = false;
      if (next !== index) onChange();
      // An index that went backwards (a restored cluster) starts over.
      index = next < index ? 0 : next;
    } catch (e) {
      if (signal.aborted) return;
      if (!failing) onError?.(e);
      failing = true;
      index = 0;
      await pause(backoff, signal);
      backoff = Math.min(backoff * 2, 5000);
    }
  }
}

/** Waits `ms`, or less when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
