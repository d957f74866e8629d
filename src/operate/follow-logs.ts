import type { NomadClient } from '../nomad/client.js';
import type { AllocationListStub, RegisteredJob } from '../nomad/jobs.js';
import { LinePrefixer, lastLines, tailBytes } from './log-text.js';
import { runningAllocations, taskOf } from './pick-allocation.js';

export interface LogRequest {
  readonly job: RegisteredJob;
  readonly namespace: string;
  readonly type: 'stdout' | 'stderr';
  readonly task?: string | undefined;
  /** `--alloc`: one allocation by index or ID prefix; otherwise every running one. */
  readonly alloc?: string | undefined;
  /** Lines of history to show first (0: all there is). */
  readonly tail: number;
  readonly follow: boolean;
}

export interface LogOutput {
  write(text: string): void;
  warn(line: string): void;
}

/** A burst that arrives within this long of following a log is history: only its last lines show. */
const HISTORY_MS = 300;

/**
 * Prints a job's logs: the last lines of each running allocation's task; with `follow`, then
 * what they write next, and the logs of allocations that start later (a restart, a redeploy)
 * from their first line, until `signal` aborts (or, for one `--alloc`, until it stops). Lines of
 * several allocations are prefixed with their short ID.
 */
export async function showLogs(nomad: NomadClient, req: LogRequest, out: LogOutput, signal: AbortSignal): Promise<void> {
  const { job, namespace } = req;
  const chosen = runningAllocations(await nomad.jobs.allocations(job.ID, { namespace }), job.ID, req.alloc).reverse();
  const instances = job.TaskGroups.reduce((n, g) => n + g.Count, 0);
  const labelled = chosen.length > 1 || (req.follow && req.alloc === undefined && instances > 1);
  const history = req.tail ? { origin: 'end' as const, offset: tailBytes(req.tail) } : { origin: 'start' as const, offset: 0 };
  const query = (a: AllocationListStub) => ({ task: taskOf(job, a, req.task), type: req.type, namespace });
  const prefixer = (a: AllocationListStub) => (labelled ? new LinePrefixer(`[${a.ID.slice(0, 8)}] `) : undefined);

  if (!req.follow) {
    for (const a of chosen) {
      let text = '';
      await nomad.allocations.logs(a.ID, { ...query(a), ...history, follow: false }, (t) => (text += t), signal);
      const prefix = prefixer(a);
      const shown = lastLines(text, req.tail);
      out.write(prefix ? prefix.push(shown) + prefix.flush() : shown);
    }
    return;
  }

  const followed = new Set<string>();
  const streams: Promise<void>[] = [];
  const follow = (a: AllocationListStub, fromStart: boolean) => {
    followed.add(a.ID);
    const prefix = prefixer(a);
    const write = (text: string) => out.write(prefix ? prefix.push(text) : text);
    // Following from the end first returns the tail already written: show only its last lines.
    let past: string | undefined = fromStart || !req.tail ? undefined : '';
    let timer: NodeJS.Timeout | undefined;
    const endPast = () => {
      if (past !== undefined) write(lastLines(past, req.tail));
      past = undefined;
    };
    const onText = (text: string) => {
      if (past === undefined) return write(text);
      past += text;
      timer ??= setTimeout(endPast, HISTORY_MS);
    };
    streams.push(
      nomad.allocations
        .logs(a.ID, { ...query(a), ...(fromStart ? { origin: 'start', offset: 0 } : history), follow: true }, onText, signal)
        .catch((e: Error) => out.warn(`the log of allocation ${a.ID.slice(0, 8)} ended: ${e.message}`))
        .finally(() => {
          clearTimeout(timer);
          endPast();
          if (prefix) out.write(prefix.flush());
        }),
    );
  };
  for (const a of chosen) follow(a, false);
  if (req.alloc === undefined) streams.push(followNewAllocations(nomad, job, namespace, signal, (a) => !followed.has(a.ID) && follow(a, true)));
  await Promise.all(streams);
}

/** Hands on each allocation of the job that is running, as the allocation list changes. */
async function followNewAllocations(nomad: NomadClient, job: RegisteredJob, namespace: string, signal: AbortSignal, started: (a: AllocationListStub) => void): Promise<void> {
  let index = 0;
  while (!signal.aborted) {
    try {
      const { value, index: next } = await nomad.jobs.allocationsBlocking(job.ID, namespace, index, 30);
      index = next;
      for (const a of value) if (a.ClientStatus === 'running' && !signal.aborted) started(a);
    } catch {
      if (!signal.aborted) await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
