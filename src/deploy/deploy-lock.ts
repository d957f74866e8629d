import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Variables } from '../nomad/variables.js';
import { DeployError } from './deploy-error.js';
import { deployStatePath } from './secrets-store.js';
import type { DeployLog } from './log.js';

const TTL_MS = 30_000;

/** A lock as nom writes it; anything else found at the path is stale. */
interface LockItems {
  readonly holder: string;
  readonly since: number;
  readonly expires: number;
}

/**
 * Reads a lock document. One that is not nom's (any deploy token can write the path), or that
 * claims to live longer than nom ever renews, counts as stale: a planted lock blocks nobody.
 */
export function readLock(items: Record<string, string>, now: number): { live: LockItems } | { stale: string } {
  const expires = Number(items.expires);
  const since = Number(items.since ?? items.expires);
  if (!items.holder || !Number.isFinite(expires) || !Number.isFinite(since)) return { stale: 'it cannot be read as a nom deploy lock' };
  if (expires > now + 2 * TTL_MS) return { stale: `it claims to be held until ${new Date(expires).toISOString()}, longer than a deploy renews it` };
  if (expires < now) return { stale: `${items.holder} stopped renewing it` };
  return { live: { holder: items.holder, since, expires } };
}

/**
 * One deploy of a job at a time: a lock in the Nomad Variable `nom/deploys/<job>/lock` of the
 * job's namespace (a path a CI token may read and write), taken with check-and-set, renewed
 * while held, released on exit, and taken over once its holder stopped renewing it for 30
 * seconds.
 */
export class DeployLock {
  private readonly holder: string;
  private index = 0;
  private renewal: NodeJS.Timeout | undefined;

  /** `run` says who deploys, for whoever waits: the pipeline's URL, when CI gives one. */
  constructor(
    private readonly vars: Variables,
    private readonly namespace: string,
    private readonly job: string,
    run?: string,
  ) {
    this.holder = `${run ? `${run} ` : ''}(${hostname()} pid ${process.pid} ${randomUUID().slice(0, 8)})`;
  }

  get path(): string {
    return deployStatePath(this.job, 'lock');
  }

  async acquire(log: DeployLog, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let told = false;
    for (;;) {
      const current = await this.vars.read(this.path, this.namespace);
      const state = current ? readLock(current.Items, Date.now()) : undefined;
      if (!state || 'stale' in state) {
        if (state) log.warn(`taking over the deploy lock of ${this.job}: ${state.stale}`);
        const written = await this.vars.write(this.path, this.namespace, this.items(), current?.ModifyIndex ?? 0);
        if (written) {
          this.index = written.ModifyIndex;
          this.renewal = setInterval(() => void this.renew(log), TTL_MS / 3);
          this.renewal.unref();
          return;
        }
        continue; // someone else got it first
      }
      if (state.live.holder === this.holder && current) {
        // Our own write, landed before a retry: the lock is ours.
        this.index = current.ModifyIndex;
        this.renewal = setInterval(() => void this.renew(log), TTL_MS / 3);
        this.renewal.unref();
        return;
      }
      const held = `${state.live.holder}, since ${new Date(state.live.since).toISOString()}`;
      if (!told) log.info(`waiting for another deploy of ${this.job} to finish (lock held by ${held})`);
      told = true;
      if (Date.now() > deadline) {
        throw new DeployError('conflict', [`another deploy of ${this.job} held the lock for the whole timeout: ${held}`, 'run the deploy again when it has finished']);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  private readonly since = Date.now();

  private items(): Record<string, string> {
    return { holder: this.holder, since: String(this.since), expires: String(Date.now() + TTL_MS) };
  }

  private async renew(log: DeployLog): Promise<void> {
    const written = await this.vars.write(this.path, this.namespace, this.items(), this.index).catch(() => undefined);
    if (written) this.index = written.ModifyIndex;
    else log.warn('could not renew the deploy lock; another deploy may start');
  }

  async release(): Promise<void> {
    clearInterval(this.renewal);
    if (this.index) await this.vars.delete(this.path, this.namespace, this.index).catch(() => undefined);
    this.index = 0;
  }
}
