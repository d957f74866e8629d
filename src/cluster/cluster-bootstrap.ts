import type { NomadClient } from '../nomad/client.js';
import { NomadError, isTransient } from '../nomad/http.js';
import type { NodeListStub } from '../nomad/nodes.js';
import { waitFor } from './processes.js';

/**
 * What `nom up` and `nom cluster create` both do once their agents run: wait for a leader,
 * bootstrap ACLs once, wait for nodes whose Docker driver is healthy. The callers say what a
 * failure means where they are (a log file here, journalctl there).
 */

/** Waits until the servers have elected a leader; `fail` gives the error to throw at the deadline. */
export async function waitForLeader(nomad: NomadClient, o: { timeoutMs: number; intervalMs?: number; fail: () => Error; checkAlive?: () => void }): Promise<void> {
  await waitFor(
    async () => {
      o.checkAlive?.();
      return (await nomad.agent.leader().catch(() => '')) || undefined;
    },
    { timeoutMs: o.timeoutMs, intervalMs: o.intervalMs ?? 300, onTimeout: o.fail },
  );
}

/**
 * POST /v1/acl/bootstrap, retried while the new cluster settles; returns the management
 * token's secret. A cluster bootstrapped before answers with `bootstrappedBefore()`.
 */
export async function bootstrapAcl(nomad: NomadClient, o: { timeoutMs: number; fail: () => Error; bootstrappedBefore: () => Error }): Promise<string> {
  const token = await waitFor(
    () =>
      nomad.acl.bootstrap().catch((e: unknown) => {
        if (e instanceof NomadError && /already done|bootstrap.*already/i.test(e.body)) throw o.bootstrappedBefore();
        if (isTransient(e)) return undefined;
        throw e;
      }),
    { timeoutMs: o.timeoutMs, intervalMs: 500, onTimeout: o.fail },
  );
  return token.SecretID;
}

/** Waits until the token is accepted (a restarted cluster may answer 500 for a moment); a 403 is thrown. */
export async function waitForToken(nomad: NomadClient, o: { timeoutMs: number; fail: () => Error }): Promise<void> {
  await waitFor(async () => nomad.acl.self().then(() => true, (e: unknown) => (isTransient(e) ? undefined : Promise.reject(e))), {
    timeoutMs: o.timeoutMs,
    onTimeout: o.fail,
  });
}

/** Whether a node can run nom's jobs: ready, with a healthy Docker driver. */
export function nodeIsReady(node: NodeListStub): boolean {
  return node.Status === 'ready' && Boolean(node.Drivers?.docker?.Healthy);
}

/** Where the nodes are, for the error at the deadline: `1 of 2 ready; b is initializing, docker driver: not detected`. */
export function describeNodes(nodes: readonly NodeListStub[], count: number): string {
  if (!nodes.length) return 'no node registered yet';
  const ready = nodes.filter(nodeIsReady).length;
  const waiting = nodes.filter((n) => !nodeIsReady(n)).map((n) => {
    const docker = n.Drivers?.docker;
    return `${n.Name} is ${n.Status}, docker driver: ${docker ? (docker.Healthy ? 'healthy' : docker.HealthDescription || 'not healthy') : 'not detected'}`;
  });
  return [`${ready} of ${count} ready`, ...waiting].join('; ');
}

/** Waits until `count` nodes are ready; returns them. `fail` gets where the nodes are at the deadline. */
export async function waitForReadyNodes(nomad: NomadClient, o: { count: number; timeoutMs: number; intervalMs?: number; fail: (where: string) => Error }): Promise<NodeListStub[]> {
  let last: readonly NodeListStub[] = [];
  return waitFor(
    async () => {
      last = await nomad.nodes.list().catch(() => last);
      const ready = last.filter(nodeIsReady);
      return ready.length >= o.count ? ready : undefined;
    },
    { timeoutMs: o.timeoutMs, intervalMs: o.intervalMs ?? 500, onTimeout: () => o.fail(describeNodes(last, o.count)) },
  );
}
