import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Variables } from '../nomad/variables.js';
import type { DeployLog } from './log.js';

const TTL_MS = 30_000;

/**
 * One deploy of a job at a time: a lock in the Nomad Variable `nomad/jobs/<job>/nom-deploy-lock`
 * (a path a CI token may write), taken with check-and-set, renewed while held, released on
 * exit, and taken over once its holder stopped renewing it for 30 seconds.
 */
export class DeployLock {
  private readonly holder = `${hostname()} pid ${process.pid} ${randomUUID().slice(0, 8)}`;
  private index = 0;
  private renewal: NodeJS.Timeout | undefined;

  constructor(
    private readonly vars: Variables,
    private readonly namespace: string,
    private readonly job: string,
  ) {}

  get path(): string {
    return `nomad/jobs/${this.job}/nom-deploy-lock`;
  }

  async acquire(log: DeployLog, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let told = false;
    for (;;) {
      const current = await this.vars.read(this.path, this.namespace);
      const stale = current && Number(current.Items.expires) < Date.now();
      if (!current || stale) {
        if (stale) log.warn(`taking over the deploy lock of ${current.Items.holder}, which stopped renewing it`);
        const written = await this.vars.write(this.path, this.namespace, this.items(), current?.ModifyIndex ?? 0);
        if (written) {
          this.index = written.ModifyIndex;
          this.renewal = setInterval(() => void this.renew(log), TTL_MS / 3);
          this.renewal.unref();
          return;
        }
        continue; // someone else got it first
      }
      if (!told) log.info(`waiting for another deploy of ${this.job} to finish (lock held by ${current.Items.holder})`);
      told = true;
      if (Date.now() > deadline) throw new Error(`another deploy of ${this.job} held the lock for the whole timeout (${current.Items.holder})`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  private items(): Record<string, string> {
    return { holder: this.holder, expires: String(Date.now() + TTL_MS) };
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
