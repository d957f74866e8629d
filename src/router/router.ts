import http from 'node:http';
import type { NomadClient } from '../nomad/client.js';
import type { CaddyAdmin } from './caddy-admin.js';
import { caddyConfig, documentId, type IngressOptions } from './caddy-config.js';
import { NomadWatch, type WatchLog } from './nomad-watch.js';
import { ConsulWatch } from './consul-watch.js';
import type { ConsulClient } from '../consul/client.js';
import { allocationHealth, ClusterReader, instanceState, type ClusterView } from './cluster-view.js';
import { runProbe } from './wake-probe.js';
import { HostnameRecords, type HostnameRecord } from './hostname-records.js';
import { owners, routingTable, type Route, type RoutingTable, type ServiceInstance } from './routing-table.js';
import { routeKey, upstreamTable, type UpstreamTable } from './upstream-table.js';
import { visibleIngress, type SleepState } from './visible-ingress.js';
import { DEFAULT_SLEEP, dueToSleep, SLEEP_META, sleepAfterMs, type AwakeJob, type SleepDefaults } from './sleep-policy.js';
import { NomadError } from '../nomad/http.js';
import { mapLimit } from './parallel.js';
import { TrafficRecords } from './traffic-records.js';

export type RouterLog = WatchLog;

export interface RouterStatus {
  readonly table: RoutingTable;
  /** Who owns each hostname, as recorded in the cluster; undefined while the records cannot be read. */
  readonly records?: readonly { readonly host: string; readonly owner: string; readonly since: string }[] | undefined;
  readonly nomad: { readonly ok: boolean; readonly error?: string | undefined; readonly at: string; readonly following?: string };
  readonly lastPush: { readonly ok: boolean; readonly error?: string | undefined; readonly at: string } | undefined;
  /** Consul, when the router follows it too. */
  readonly consul?: { readonly ok: boolean; readonly error?: string | undefined; readonly at: string };
  /** Jobs that may sleep (namespace/job): asleep or not, and their last request through this router (ISO time). */
  readonly sleep?: readonly SleepState[];
  /** Instances registered at an address Nomad did not give their allocation: never routed. */
  readonly refused?: readonly { readonly job: string; readonly service: string; readonly alloc: string; readonly reason: string }[];
}

/** How long a request waits for its sleeping app to wake before it gets 503. */
export const WAKE_LIMIT_MS = 120_000;

/** A round runs this often; sooner when Nomad says something changed. */
const TICK_MS = 250;
/** Checks of an instance not yet healthy are read every round; of a healthy one, this often. */
const HEALTHY_RECHECK_MS = 1000;
/** A router writes its record of requests this often (an app sleeps after minutes, not seconds). */
const SHARE_MS = 30_000;
/** Everything is read again this often even without a change event, to be safe. */
const RESYNC_MS = 30_000;
/** Caddy is asked this often whether it still runs our document (a restarted Caddy is empty). */
const CADDY_CHECK_MS = 1000;

/**
 * Follows Nomad's jobs, service registrations and the health of their allocations in every
 * namespace, turns them into a routing table, and keeps Caddy in step: the hostnames go into
 * Caddy's configuration (pushed whole, only when they change), the instances into the upstream
 * table of nom's module in Caddy (so they change without a configuration load). It pushes only
 * what it read from Nomad: while Nomad cannot be read, Caddy keeps the last good state; when
 * Caddy restarts empty, the routes and the table come back.
 */
export class Router {
  /** The "@id" of the document last pushed, a hash of it: the same id is the same document, and Caddy still runs it while it has that id. */
  private pushedId: string | undefined;
  /** The id of the upstream table last put into Caddy (see upstream-table.ts). */
  private pushedTableId: string | undefined;
  /** The last request Caddy reported for each route (its key), to count each once. */
  private readonly seenRequests = new Map<string, number>();
  /** The configuration and upstream table waiting to be pushed, and the push under way. */
  private nextPush: { readonly config: unknown; readonly upstreams: UpstreamTable } | undefined;
  private pushing: Promise<void> | undefined;
  /** The routes last logged: a line says what changed. */
  private loggedRoutes: readonly Route[] = [];
  private status: RouterStatus = { table: { routes: [], conflicts: [] }, nomad: { ok: false, at: new Date().toISOString() }, lastPush: undefined };
  private view: ClusterView | undefined;
  private changed = true;
  /** Nomad's registrations must be read whole (not only followed from the event stream): at the start, after a reconnect, at each resync. */
  private needFull = true;
  /** The hostname records must be read again (this router wrote some). */
  private recordsStale = true;
  private lastRead = 0;
  private lastFull = 0;
  private lastCaddyCheck = 0;
  /**
   * The health of each instance (its allocation), as last asked. `standsUntil`: the router's own
   * probe passed while the app woke, and stands for Nomad's checks until they have run.
   */
  private readonly health = new Map<string, { healthy: boolean; at: number; standsUntil?: number }>();
  /** Allocations of waking apps that the router is probing now. */
  private readonly probing = new Set<string>();
  private readonly reader: ClusterReader;
  private knownConflicts = new Set<string>();
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly watch: NomadWatch;
  private readonly consulWatch: ConsulWatch | undefined;
  /** The failing check of each Consul instance last read, to log its changes once. */
  private consulFailing = new Map<string, string | undefined>();
  /** Refused instances already logged (alloc, service, address), to log each once. */
  private knownRefused = new Set<string>();
  private readonly records: HostnameRecords;
  /** The records as last read; undefined when they cannot be read (a token without the capability): ownership is then this router's own. */
  private recorded: Map<string, HostnameRecord> | undefined;
  private recordsProblem: string | undefined;
  private readonly reserved: ReadonlySet<string>;
  /** The last request through this router, by job (namespace/job): nom's module in Caddy notes each route's, and the router asks every second. */
  private readonly lastRequest = new Map<string, number>();
  /** Jobs being woken, and when the wake began. */
  private readonly waking = new Map<string, number>();
  /** When each job was last woken: it gets its whole idle time again. */
  private readonly wokenAt = new Map<string, number>();
  /** The last problem sleeping each job, said once. */
  private readonly sleepProblems = new Map<string, string>();
  private readonly startedAt = Date.now();
  private readonly sleep: SleepDefaults;
  /** Every router's last requests, shared in the cluster; this router's are written every SHARE_MS. */
  private readonly traffic: TrafficRecords;
  private lastShare = 0;
  private sharedProblem: string | undefined;

  constructor(
    private readonly nomad: NomadClient,
    private readonly caddy: CaddyAdmin,
    private readonly ingress: IngressOptions,
    private readonly log: RouterLog,
    o: {
      readonly consul?: ConsulClient | undefined;
      readonly sleep?: SleepDefaults | undefined;
      /** This router's name among the cluster's (its node): its record of requests is kept under it. */
      readonly name?: string | undefined;
    } = {},
  ) {
    const consul = o.consul;
    this.sleep = o.sleep ?? DEFAULT_SLEEP;
    this.traffic = new TrafficRecords(nomad, o.name ?? 'router');
    this.reader = new ClusterReader(nomad, consul);
    this.records = new HostnameRecords(nomad);
    this.reserved = new Set([...(ingress.nomad?.hostnames ?? []), ...(ingress.console?.hostnames ?? []), ...(ingress.reservedHostnames ?? [])].map((h) => h.toLowerCase()));
    const changed = () => {
      this.changed = true;
      this.wake?.();
    };
    this.watch = new NomadWatch(nomad, (batch) => {
      if (batch) this.reader.applyEvents(batch.Events);
      else this.needFull = true;
      changed();
    }, log);
    this.consulWatch = consul && new ConsulWatch(consul, changed, log);
  }

  current(): RouterStatus {
    return { ...this.status, nomad: { ...this.status.nomad, following: this.watch.mode === 'events' ? `event stream (index ${this.watch.lastIndex})` : 'lists by blocking queries' } };
  }

  /** The route of a hostname, as routed now. */
  route(host: string): Route | undefined {
    return this.status.table.routes.find((r) => r.host === host);
  }

  /**
   * Wakes a sleeping job (once, however many requests ask) and resolves with the healthy
   * instances of `host` once there are any; rejects past `limitMs`.
   */
  async wakeFor(host: string, limitMs = WAKE_LIMIT_MS): Promise<readonly string[]> {
    const began = Date.now();
    const route = this.route(host);
    if (!route) throw new Error(`no route for ${host}`);
    if (route.upstreams.length) return route.upstreams;
    this.lastRequest.set(route.owner, began);
    if (!this.waking.has(route.owner)) {
      this.waking.set(route.owner, began);
      this.changed = true;
      this.wake?.();
      await this.scaleUp(route.owner).catch((e: Error) => {
        this.waking.delete(route.owner);
        throw e;
      });
    }
    for (;;) {
      const now = this.route(host);
      if (now?.upstreams.length) return now.upstreams;
      if (!now) throw new Error(`${host} is no longer routed`);
      if (Date.now() - began > limitMs) throw new Error(`${route.owner} did not wake within ${Math.round(limitMs / 1000)}s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Scales each group of a sleeping job back to its count before the sleep. */
  private async scaleUp(job: string): Promise<void> {
    const facts = this.view?.facts.get(job);
    if (!facts?.wakeCounts) return; // already awake (or waking by another hand): wait for its health
    this.log.info(`${job} is asked for: waking it (${[...facts.wakeCounts].map(([g, n]) => `${g} to ${n}`).join(', ')})`);
    for (const [group, count] of facts.wakeCounts) {
      await this.nomad.jobs.scale(facts.jobId, facts.namespace, group, count, 'nom: woken by a request', { nom_wake: 'true' });
    }
    this.changed = true;
    this.wake?.();
  }

  /** Puts to sleep the routed jobs that have had no request for their sleep time. */
  private async sleepIdle(table: RoutingTable, view: ClusterView): Promise<void> {
    const routed = new Set(table.routes.map((r) => r.owner));
    const candidates: AwakeJob[] = [];
    for (const [job, f] of view.facts) {
      const after = sleepAfterMs(f.meta, this.sleep);
      if (after === undefined || f.wakeCounts || !routed.has(job) || this.waking.has(job) || ![...f.groups.values()].some((n) => n > 0)) continue;
      const lastActivity = Math.max(this.lastRequest.get(job) ?? 0, f.submitTimeMs, this.wokenAt.get(job) ?? 0, this.startedAt);
      candidates.push({ job, sleepAfterMs: after, lastActivity, deploying: false });
    }
    let due = dueToSleep(candidates, Date.now());
    if (due.length) {
      // Another ingress may have had requests for them: the newest request through any router counts.
      const shared = await this.sharedRequests();
      due = dueToSleep(candidates.map((c) => ({ ...c, lastActivity: Math.max(c.lastActivity, shared.get(c.job) ?? 0) })), Date.now());
    }
    for (const job of due) {
      const f = view.facts.get(job)!;
      const after = candidates.find((c) => c.job === job)!.sleepAfterMs;
      try {
        for (const [group, count] of f.groups) {
          if (count > 0) await this.nomad.jobs.scale(f.jobId, f.namespace, group, 0, `nom: asleep after ${Math.round(after / 1000)}s without a request`, { [SLEEP_META]: 'true' });
        }
        this.log.info(`${job} had no request for ${Math.round(after / 1000)}s: asleep (the next request wakes it)`);
        this.sleepProblems.delete(job);
        this.changed = true;
      } catch (e) {
        // A deployment under way refuses a scale: it is active, and the next round tries again.
        const problem = e instanceof NomadError && /active deployment/.test(e.message) ? undefined : (e as Error).message;
        if (problem && this.sleepProblems.get(job) !== problem) this.log.warn(`cannot put ${job} to sleep: ${problem}`);
        if (problem) this.sleepProblems.set(job, problem);
      }
    }
  }

  /** Every router's last requests; none when they cannot be read (this router's own then decide). */
  private async sharedRequests(): Promise<Map<string, number>> {
    try {
      const shared = await this.traffic.read();
      this.sharedProblem = undefined;
      return shared;
    } catch (e) {
      const problem = (e as Error).message;
      if (this.sharedProblem !== problem) this.log.warn(`cannot read the routers' records of requests (${problem}): only this router's decide when apps sleep`);
      this.sharedProblem = problem;
      return new Map();
    }
  }

  /** Writes this router's last requests for the others, every SHARE_MS when there were any. */
  private async shareRequests(): Promise<void> {
    if (Date.now() - this.lastShare < SHARE_MS || !this.lastRequest.size) return;
    this.lastShare = Date.now();
    try {
      await this.traffic.publish(this.lastRequest);
    } catch (e) {
      const problem = (e as Error).message;
      if (this.sharedProblem !== problem) this.log.warn(`cannot write this router's record of requests (${problem})`);
      this.sharedProblem = problem;
    }
  }

  /** Ends the wakes whose jobs have a healthy instance again. */
  private noteWoken(table: RoutingTable): void {
    for (const [job, began] of this.waking) {
      if (!table.routes.some((r) => r.owner === job && r.upstreams.length)) continue;
      this.waking.delete(job);
      this.wokenAt.set(job, Date.now());
      this.log.info(`${job} is awake after ${((Date.now() - began) / 1000).toFixed(1)}s`);
    }
  }

  stop(): void {
    this.stopped = true;
    this.watch.stop();
    this.consulWatch?.stop();
    this.wake?.();
  }

  async run(): Promise<void> {
    const watching = Promise.all([this.watch.run(), this.consulWatch?.run()]);
    while (!this.stopped) {
      const began = Date.now();
      await this.step();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, TICK_MS - (Date.now() - began)));
        // A change wakes the loop early, after a moment to gather the rest of its batch.
        this.wake = () => (clearTimeout(timer), setTimeout(resolve, 20));
      });
      this.wake = undefined;
    }
    await watching;
    await this.pushing;
  }

  /** One round: read what changed, recheck health that is due, recompute, push if needed. */
  async step(): Promise<void> {
    try {
      if (this.changed || !this.view || Date.now() - this.lastRead > RESYNC_MS) {
        this.changed = false;
        const full = this.needFull || !this.view || Date.now() - this.lastFull > RESYNC_MS || this.watch.mode === 'blocking';
        this.needFull = false;
        this.view = await this.reader.read({ full }).catch((e: unknown) => {
          this.needFull = true;
          throw e;
        });
        if (full) this.lastFull = Date.now();
        this.noteConsul(this.view);
        this.noteConsulHealth(this.view);
        this.noteRefused(this.view);
        // The records change only when a router writes them: read again after our own writes, at
        // each full read (another router's), and while they cannot be read.
        if (full || this.recordsStale || !this.recorded) {
          this.recordsStale = false;
          this.recorded = await this.readRecords();
        }
        this.lastRead = Date.now();
      }
      await this.recheckHealth(this.view);
      if (!this.status.nomad.ok) this.log.info(`Nomad answers; following it by ${this.watch.mode === 'events' ? 'its event stream' : 'blocking queries'}`);
      this.status = { ...this.status, nomad: { ok: true, at: new Date().toISOString() } };
    } catch (e) {
      this.changed = true;
      if (this.status.nomad.ok || !this.status.nomad.error) this.log.warn(`cannot read Nomad (${(e as Error).message}): Caddy keeps its routes and instances`);
      this.status = { ...this.status, nomad: { ok: false, error: (e as Error).message, at: new Date().toISOString() } };
      return;
    }

    const view = this.view;
    const table = routingTable({
      jobs: view.jobs,
      instances: view.instances,
      healthy: (id) => this.health.get(id)?.healthy ?? false,
      recordedOwners: this.recorded && new Map([...this.recorded].map(([host, r]) => [host, r.owner])),
      previousOwners: owners(this.status.table),
      reserved: this.reserved,
      waking: new Set(this.waking.keys()),
    });
    this.noteWoken(table);
    const records = this.recorded && [...this.recorded.values()].map(({ host, owner, since }) => ({ host, owner, since })).sort((a, b) => a.host.localeCompare(b.host));
    this.status = { ...this.status, table, records, sleep: this.sleepStatus(view) };
    const changes = routeChanges(this.loggedRoutes, table.routes);
    if (changes) this.log.info(`routes: ${changes}`);
    this.loggedRoutes = table.routes;
    for (const c of table.conflicts) {
      if (!this.knownConflicts.has(`${c.host} ${c.claimant}`)) this.log.warn(`${c.claimant} claims ${c.host}, which belongs to ${c.owner}: not routed`);
    }
    this.knownConflicts = new Set(table.conflicts.map((c) => `${c.host} ${c.claimant}`));
    const local = (port: number) => `127.0.0.1:${port}`;
    this.schedulePush(caddyConfig(table, this.ingress), upstreamTable(table, local(this.ingress.noInstancePort), this.ingress.wakePort ? local(this.ingress.wakePort) : undefined));
    await this.keepRecords(table, view);
    await this.shareRequests();
    await this.sleepIdle(table, view);
  }

  private sleepStatus(view: ClusterView): RouterStatus['sleep'] {
    const out: NonNullable<RouterStatus['sleep']>[number][] = [];
    for (const [job, f] of view.facts) {
      const after = sleepAfterMs(f.meta, this.sleep);
      if (after === undefined && !f.wakeCounts) continue;
      const last = this.lastRequest.get(job);
      out.push({ job, asleep: Boolean(f.wakeCounts), sleepsAfter: after === undefined ? 'never' : `${Math.round(after / 1000)}s`, ...(last ? { lastRequest: new Date(last).toISOString() } : {}) });
    }
    return out.sort((a, b) => a.job.localeCompare(b.job));
  }

  /** Says when Consul stops or starts answering; meanwhile its last instances stand. */
  private noteConsul(view: ClusterView): void {
    if (!view.consul) return;
    const was = this.status.consul;
    if (!view.consul.ok && (was?.ok ?? true)) this.log.warn(`cannot read Consul (${view.consul.error}): its services keep their last routes`);
    if (view.consul.ok && was && !was.ok) this.log.info('Consul answers again: its services follow it');
    if (view.consul.ok && !was) this.log.info('Consul answers; following its catalog and checks by blocking queries');
    this.status = { ...this.status, consul: { ...view.consul, at: new Date().toISOString() } };
  }

  /** Says when an instance leaves or rejoins the rotation by Consul's checks, and which check sent it out. */
  private noteConsulHealth(view: ClusterView): void {
    const now = new Map<string, string | undefined>();
    for (const i of view.instances) {
      if (!i.consulId) continue;
      const was = this.consulFailing.get(i.consulId);
      const label = `${i.namespace}/${i.jobId} ${i.serviceName} on ${i.allocId.slice(0, 8)}`;
      // Waiting for a first check (a new instance, in the normal course of a deploy) is not worth a line.
      const quiet = i.failing?.endsWith('not run yet') ?? false;
      now.set(i.consulId, quiet ? undefined : i.failing);
      if (i.failing && i.failing !== was && !quiet) this.log.warn(`${label} takes no traffic: ${i.failing}`);
      if (!i.failing && was) this.log.info(`${label} takes traffic again`);
    }
    this.consulFailing = now;
  }

  /** Takes the last request of each route from what Caddy reported, for its owner. */
  private noteRequests(last: Readonly<Record<string, number>>, upstreams: UpstreamTable): void {
    const owners = new Map(this.status.table.routes.map((r) => [routeKey(r), r.owner]));
    for (const [key, at] of Object.entries(last)) {
      if (at <= (this.seenRequests.get(key) ?? 0)) continue;
      this.seenRequests.set(key, at);
      const owner = owners.get(key);
      if (owner && at > (this.lastRequest.get(owner) ?? 0)) this.lastRequest.set(owner, at);
    }
    for (const key of this.seenRequests.keys()) if (!(key in upstreams.routes)) this.seenRequests.delete(key);
  }

  /** Says once about each instance that registered an address its allocation was not given. */
  private noteRefused(view: ClusterView): void {
    const now = new Set<string>();
    for (const { instance: i, reason } of view.refused) {
      const key = `${i.allocId} ${i.serviceName} ${i.address}:${i.port}`;
      now.add(key);
      if (!this.knownRefused.has(key)) this.log.warn(`${i.namespace}/${i.jobId} ${i.serviceName} on ${i.allocId.slice(0, 8)} ${reason}: not routed`);
    }
    this.knownRefused = now;
    const refused = view.refused.map(({ instance: i, reason }) => ({ job: `${i.namespace}/${i.jobId}`, service: i.serviceName, alloc: i.allocId, reason }));
    this.status = { ...this.status, ...(refused.length ? { refused } : { refused: undefined }) };
  }

  private async readRecords(): Promise<Map<string, HostnameRecord> | undefined> {
    try {
      const read = await this.records.read();
      if (this.recordsProblem) this.log.info('hostname records can be read again: ownership follows them');
      this.recordsProblem = undefined;
      return read;
    } catch (e) {
      const problem = (e as Error).message;
      if (this.recordsProblem !== problem) this.log.warn(`cannot read the hostname records (${problem}): owners are this router's own until they can be`);
      this.recordsProblem = problem;
      return undefined;
    }
  }

  /**
   * Records the owner of every routed hostname that has none yet (first claim wins, whichever
   * router writes first), and drops the records of purged jobs, so their names are free again.
   */
  private async keepRecords(table: RoutingTable, view: ClusterView): Promise<void> {
    if (!this.recorded) return;
    try {
      const recorded = this.recorded;
      await mapLimit(table.routes.filter((r) => !recorded.has(r.host)), 8, async (route) => {
        if (await this.records.claim(route.host, route.owner)) this.log.info(`${route.host} belongs to ${route.owner} from now on`);
        this.changed = this.recordsStale = true; // read the records again: ours, or another router's
      });
      for (const record of this.recorded.values()) {
        if (view.known.has(record.owner)) continue;
        if (await this.records.release(record)) this.log.info(`${record.host} is free again: ${record.owner} was purged`);
        this.changed = this.recordsStale = true;
      }
    } catch (e) {
      this.log.warn(`cannot write the hostname records (${(e as Error).message})`);
    }
  }

  /**
   * Hands the newest configuration to the pusher, which loads one at a time and always the
   * newest: the routing loop does not wait for Caddy (a load with a thousand hostnames takes a
   * while), so the routing keeps following Nomad meanwhile.
   */
  private schedulePush(config: unknown, upstreams: UpstreamTable): void {
    this.nextPush = { config, upstreams };
    this.pushing ??= (async () => {
      while (this.nextPush !== undefined) {
        const next = this.nextPush;
        this.nextPush = undefined;
        await this.push(next);
      }
      this.pushing = undefined;
    })();
  }

  /**
   * Puts the upstream table into Caddy and loads `config`, each when it differs from the last
   * push or Caddy lost it (a restarted Caddy starts empty). The table goes first, so a hostname
   * new in the document finds its instances at once. Every second it also reads the last
   * request of each route from Caddy, which is what idle apps are put to sleep by.
   */
  private async push({ config, upstreams }: { readonly config: unknown; readonly upstreams: UpstreamTable }): Promise<void> {
    try {
      const id = documentId(config);
      const check = Date.now() - this.lastCaddyCheck >= CADDY_CHECK_MS;
      if (check) {
        this.lastCaddyCheck = Date.now();
        const { id: held, last } = await this.caddy.requests();
        this.noteRequests(last, upstreams);
        if (this.pushedTableId !== undefined && held !== this.pushedTableId) {
          this.log.warn('Caddy does not hold the upstream table (restarted?): putting it again');
          this.pushedTableId = undefined;
        }
      }
      if (upstreams.id !== this.pushedTableId) {
        await this.caddy.putUpstreams(upstreams);
        this.pushedTableId = upstreams.id;
      }
      if (id !== undefined && id === this.pushedId) {
        if (!check || (await this.caddy.has(id))) return;
        this.log.warn('Caddy is not running the routes (restarted?): pushing them again');
      }
      await this.caddy.load(config);
      this.pushedId = id;
      this.lastCaddyCheck = Date.now();
      this.status = { ...this.status, lastPush: { ok: true, at: new Date().toISOString() } };
    } catch (e) {
      const error = (e as Error).message;
      if (this.status.lastPush?.error !== error) this.log.warn(`push to Caddy failed, it keeps its last good configuration: ${error}`);
      this.status = { ...this.status, lastPush: { ok: false, error, at: new Date().toISOString() } };
    }
  }

  /**
   * An instance joins once all its checks pass (one without checks, once running and not marked
   * unhealthy by its deployment) and leaves as soon as one fails. Instances not yet healthy are
   * checked every round, healthy ones every second.
   */
  private async recheckHealth(view: ClusterView): Promise<void> {
    const now = Date.now();
    // Consul's instances come with their health; Nomad's are asked for it, but those of services
    // without checks, whose health is their allocation's (a thousand calls a second otherwise).
    const nomads = view.instances.filter((i) => i.healthy === undefined);
    const registered = new Map(nomads.filter((i) => view.checked.has(serviceKey(i))).map((i) => [i.allocId, i.namespace]));
    const unchecked = nomads.filter((i) => !registered.has(i.allocId));
    const uncheckedIds = new Set(unchecked.map((i) => i.allocId));
    for (const id of this.health.keys()) if (!registered.has(id) && !uncheckedIds.has(id)) this.health.delete(id);
    for (const i of unchecked) {
      const alloc = view.allocations.get(i.allocId);
      const health = alloc ? allocationHealth(alloc, undefined) : '-';
      this.health.set(i.allocId, { healthy: alloc?.ClientStatus === 'running' && health !== 'unhealthy', at: now });
    }
    await Promise.all(
      [...registered].map(async ([allocId, namespace]) => {
        const known = this.health.get(allocId);
        if (known && now - known.at < (known.healthy ? HEALTHY_RECHECK_MS : 0)) return;
        const state = await instanceState(this.nomad, view, allocId, namespace);
        // An allocation whose node does not answer keeps the health it had.
        if (state === undefined) return void (known ?? this.health.set(allocId, { healthy: false, at: now }));
        // A passed probe stands while Nomad's first check is still to come (read again: it may have passed meanwhile).
        const current = this.health.get(allocId);
        if (state === 'starting' && current?.standsUntil && Date.now() < current.standsUntil) return void this.health.set(allocId, { ...current, at: now });
        this.health.set(allocId, { healthy: state === 'healthy', at: now });
      }),
    );
    this.probeWaking(view);
  }

  /**
   * Asks the instances of waking apps for their checks itself, a round at a time, rather than wait
   * half a check interval for Nomad's first (see wake-probe.ts). An instance whose every check
   * passes is routed at once; it was registered at an address Nomad gave its allocation.
   */
  private probeWaking(view: ClusterView): void {
    if (!this.waking.size) return;
    const byAlloc = new Map<string, ServiceInstance[]>();
    for (const i of view.instances) {
      if (i.healthy !== undefined || !this.waking.has(`${i.namespace}/${i.jobId}`) || this.health.get(i.allocId)?.healthy || this.probing.has(i.allocId)) continue;
      const status = view.allocations.get(i.allocId)?.ClientStatus;
      if (status !== undefined && status !== 'pending' && status !== 'running') continue;
      byAlloc.set(i.allocId, [...(byAlloc.get(i.allocId) ?? []), i]);
    }
    for (const [allocId, instances] of byAlloc) {
      const probes = instances.filter((i) => view.checked.has(serviceKey(i))).map((i) => ({ i, probes: view.checked.get(serviceKey(i)) }));
      // A check the router cannot run the same way leaves the instance to Nomad's.
      if (!probes.length || probes.some((p) => !p.probes)) continue;
      this.probing.add(allocId);
      void Promise.all(probes.flatMap(({ i, probes: ps }) => ps!.map((p) => runProbe(p, i.address, i.port))))
        .then((passed) => {
          if (!passed.every(Boolean) || this.health.get(allocId)?.healthy) return;
          const standsMs = Math.max(...probes.flatMap((p) => p.probes!.map((q) => q.standsMs)));
          this.health.set(allocId, { healthy: true, at: Date.now(), standsUntil: Date.now() + standsMs });
          const i = instances[0]!;
          this.log.info(`${i.namespace}/${i.jobId}: ${i.allocId.slice(0, 8)} answers its checks: routed now (Nomad's first check runs later)`);
          this.changed = true;
          this.wake?.();
        })
        .finally(() => this.probing.delete(allocId));
    }
  }
}

/** An instance's service as `ClusterView.checked` names it. */
const serviceKey = (i: ServiceInstance) => `${i.namespace}/${i.jobId}/${i.serviceName}`;

/** How many route changes one log line names; a thousand at once are counted instead. */
const CHANGES_PER_LINE = 12;

/** What changed between two lists of routes, for one log line; undefined when nothing did. Pure. */
export function routeChanges(before: readonly Route[], after: readonly Route[]): string | undefined {
  const state = (r: Route) => (r.asleep && !r.upstreams.length ? 'asleep' : `${r.upstreams.length} instance(s)`);
  const was = new Map(before.map((r) => [`${r.scheme}://${r.host}`, state(r)]));
  const now = new Map(after.map((r) => [`${r.scheme}://${r.host}`, state(r)]));
  const changes = [
    ...[...now].filter(([url, s]) => was.get(url) !== s).map(([url, s]) => `${url} → ${s}`),
    ...[...was.keys()].filter((url) => !now.has(url)).map((url) => `${url} gone`),
  ];
  if (!changes.length) return undefined;
  const more = changes.length - CHANGES_PER_LINE;
  return `${changes.slice(0, CHANGES_PER_LINE).join(', ')}${more > 0 ? `, and ${more} more (${now.size} routes)` : ''}`;
}

/**
 * The jobs (namespace/job) a Nomad token may read, asked of Nomad with that token; undefined when
 * Nomad refuses the token.
 */
export type VisibleJobs = (token: string) => Promise<ReadonlySet<string> | undefined>;

/**
 * The router's own loopback endpoint: GET /status (for `nom router status`), GET
 * /tls-allowed?domain= (on-demand TLS: yes only for hostnames it routes), and GET
 * /console/ingress (the console's routes, cut down to what the caller's X-Nomad-Token may read).
 */
export function serveStatus(router: Router, port: number, visibleJobs?: VisibleJobs): http.Server {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://router');
    if (url.pathname === '/status') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(router.current()));
    } else if (url.pathname === '/tls-allowed') {
      // Only a hostname routed to the owner recorded in the cluster gets a certificate.
      const domain = url.searchParams.get('domain')?.toLowerCase();
      const { table, records } = router.current();
      const route = table.routes.find((r) => r.host === domain);
      const owned = route && (!records || records.some((r) => r.host === domain && r.owner === route.owner));
      res.writeHead(owned ? 200 : 403).end();
    } else if (url.pathname === '/console/ingress' && visibleJobs) {
      const token = req.headers['x-nomad-token'];
      if (typeof token !== 'string' || !token) return void res.writeHead(401, { 'Content-Type': 'text/plain' }).end('an X-Nomad-Token is needed\n');
      visibleJobs(token).then(
        (visible) => {
          if (!visible) return void res.writeHead(403, { 'Content-Type': 'text/plain' }).end('Nomad does not accept this token\n');
          const { table, records, sleep } = router.current();
          res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(visibleIngress(table, records, visible, sleep)));
        },
        (e: Error) => void res.writeHead(502, { 'Content-Type': 'text/plain' }).end(`cannot ask Nomad what this token may read: ${e.message}\n`),
      );
    } else res.writeHead(404).end();
  });
  server.listen(port, '127.0.0.1');
  return server;
}
