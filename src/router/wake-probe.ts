import http from 'node:http';

/**
 * A service's HTTP check as the router can run it itself while the app wakes. Nomad 1.6 runs a
 * new allocation's first check half an interval after it starts (`firstWait` in
 * client/allocrunner/checks_hook.go): five seconds for nom's jobs, while the app listens within
 * one. The router asks the same question sooner, and Nomad's answer takes over once it comes.
 */
export interface Probe {
  readonly path: string;
  readonly timeoutMs: number;
  /** How long a passed probe stands for Nomad's own check while that check is still pending. */
  readonly standsMs: number;
}

/** A check as Nomad's job API returns it: only what decides whether the router can run it the same way. */
interface ApiCheck {
  readonly Type?: string;
  readonly Path?: string;
  readonly Protocol?: string;
  readonly Method?: string;
  readonly Header?: Readonly<Record<string, readonly string[]>> | null;
  readonly Body?: string;
  readonly PortLabel?: string;
  readonly AddressMode?: string;
  readonly Expose?: boolean;
  readonly Interval?: number;
  readonly Timeout?: number;
}
interface ApiService {
  readonly PortLabel?: string;
  readonly Checks?: readonly ApiCheck[] | null;
}

/**
 * The probes that stand for a service's checks, or undefined when one of them is not a plain
 * HTTP GET on the service's own port: the router then waits for Nomad's. A TCP check is never
 * run early: Docker's proxy accepts a published port before the app in the container listens.
 */
export function probesOf(service: ApiService): readonly Probe[] | undefined {
  const checks = service.Checks ?? [];
  if (!checks.length) return undefined;
  const probes: Probe[] = [];
  for (const c of checks) {
    const plain =
      c.Type === 'http' &&
      (!c.Protocol || c.Protocol === 'http') &&
      (!c.Method || c.Method === 'GET') &&
      !c.Body &&
      !Object.keys(c.Header ?? {}).length &&
      (!c.PortLabel || c.PortLabel === service.PortLabel) &&
      (!c.AddressMode || c.AddressMode === 'host') &&
      !c.Expose &&
      typeof c.Path === 'string' &&
      /^\/[\x21-\x7e]*$/.test(c.Path);
    if (!plain) return undefined;
    const timeoutMs = Math.max(100, Math.round((c.Timeout ?? 2e9) / 1e6));
    probes.push({ path: c.Path!, timeoutMs, standsMs: Math.round((c.Interval ?? 10e9) / 1e6) + timeoutMs });
  }
  return probes;
}

/**
 * Runs a probe against an instance: passed as Nomad's check would pass, when the answer's status
 * is below 400. Never throws.
 */
export function runProbe(probe: Probe, address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    let req: http.ClientRequest;
    try {
      req = http.get({ host: address, port, path: probe.path, agent: false, headers: { 'User-Agent': 'nom-router (wake probe)' }, timeout: probe.timeoutMs }, (res) => {
        res.resume();
        resolve((res.statusCode ?? 500) < 400);
      });
    } catch {
      return resolve(false);
    }
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
  });
}
