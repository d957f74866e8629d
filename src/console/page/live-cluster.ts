import { useEffect, useRef, useState } from 'preact/hooks';
import { type ClusterState, type NomadEvent, applyEvents, initialState, jobKey, withoutJob } from './cluster-state.js';
import { ApiError, type Ingress, type NomadApi } from './nomad-api.js';

export interface Live {
  readonly state: ClusterState | undefined;
  readonly ingress: Ingress | undefined;
  /** Why the page cannot show the cluster (now), in words. */
  readonly problem: string | undefined;
  /** Whether the event stream is followed at the moment. */
  readonly following: boolean;
}

/**
 * The cluster as the token sees it, kept live: one full read, then Nomad's event stream (one per
 * namespace the token may read, since only a management token may follow them all at once).
 * Events of one frame apply at once; a job's change asks the router for routes again (they
 * follow a moment later). A stream that ends is followed again after a fresh read.
 */
export function useLiveCluster(api: NomadApi, management: boolean): Live {
  const [live, setLive] = useState<Live>({ state: undefined, ingress: undefined, problem: undefined, following: false });
  const stateRef = useRef<ClusterState | undefined>(undefined);

  useEffect(() => {
    const stop = new AbortController();
    let ingressTimer: ReturnType<typeof setTimeout> | undefined;
    const update = (patch: Partial<Live>) => setLive((l) => ({ ...l, ...patch }));
    const readIngress = () => {
      clearTimeout(ingressTimer);
      // Routes follow a deploy a moment later (the router reads, then checks health): ask twice.
      ingressTimer = setTimeout(() => {
        api.ingress().then((ingress) => update({ ingress }), () => undefined);
        ingressTimer = setTimeout(() => api.ingress().then((ingress) => update({ ingress }), () => undefined), 2000);
      }, 300);
    };
    const onEvents = (events: NomadEvent[]) => {
      if (!stateRef.current) return;
      stateRef.current = applyEvents(stateRef.current, events);
      update({ state: stateRef.current });
      if (events.some((e) => e.Topic !== 'Allocation' || e.Type === 'AllocationUpdateDesiredStatus' || e.Type === 'AllocationUpdated')) readIngress();
      for (const e of events) {
        if (e.Topic !== 'Job' || e.Type !== 'JobDeregistered' || !e.Payload.Job) continue;
        const { Namespace, ID } = e.Payload.Job;
        api.job(Namespace, ID).catch((err: unknown) => {
          if (!(err instanceof ApiError && err.status === 404) || !stateRef.current) return;
          stateRef.current = withoutJob(stateRef.current, jobKey(Namespace, ID));
          update({ state: stateRef.current });
        });
      }
    };

    (async () => {
      let backoff = 1000;
      while (!stop.signal.aborted) {
        try {
          const [jobs, deployments, allocations, ingress, namespaces] = await Promise.all([
            api.jobs(),
            api.deployments(),
            api.allocations(),
            api.ingress().catch(() => undefined),
            management ? Promise.resolve([{ Name: '*' }]) : api.namespaces(),
          ]);
          stateRef.current = initialState(jobs, deployments, allocations, 0);
          update({ state: stateRef.current, ingress, problem: undefined, following: true });
          backoff = 1000;
          // From the oldest of the three lists' newest changes: nothing between a list and the
          // stream is missed, and an event already in a list applies again harmlessly.
          const newest = (xs: readonly { ModifyIndex?: number }[]) => Math.max(0, ...xs.map((x) => x.ModifyIndex ?? 0));
          const from = Math.min(newest(jobs), newest(deployments), newest(allocations));
          // One stream ending (or failing) ends this round: all are followed again after a fresh read.
          const round = new AbortController();
          const abortRound = () => round.abort();
          stop.signal.addEventListener('abort', abortRound);
          try {
            await Promise.race(namespaces.map((ns) => api.events(ns.Name, from + 1, onEvents, round.signal)));
          } finally {
            round.abort();
            stop.signal.removeEventListener('abort', abortRound);
          }
        } catch (e) {
          if (stop.signal.aborted) return;
          update({ problem: (e as Error).message, following: false });
        }
        update({ following: false });
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 15_000);
      }
    })();
    return () => {
      stop.abort();
      clearTimeout(ingressTimer);
    };
  }, [api, management]);
  return live;
}
