import type { Hostname, Slug } from '../domain.js';
import { portHostname } from '../naming/deploy-target.js';
import { seconds } from '../settings/duration.js';
import type { Settings } from '../settings/declarations.js';
import type { PortSpec } from '../settings/ports.js';
import type { NomadJob, Service } from './nomad-job.js';

export const MAIN_TASK = 'http';

/** Every service a job declares: its groups' and its tasks' (overlays may put them on a task). */
export function servicesOf(job: Pick<NomadJob, 'TaskGroups'>): Service[] {
  return job.TaskGroups.flatMap((g) => [...(g.Services ?? []), ...g.Tasks.flatMap((t) => (t as { Services?: Service[] }).Services ?? [])]);
}
/** The names of a job's services that register in Consul (their checks are read there). */
export function consulServiceNames(job: Pick<NomadJob, 'TaskGroups'>): string[] {
  return [...new Set(servicesOf(job).filter((s) => s.Provider === 'consul').map((s) => s.Name))];
}

const CHECK_INTERVAL = seconds(10);

/**
 * The main service `<slug>` on port `http`: tagged `https://<host>` for each hostname (the
 * router routes these), `https://canary-<host>` while a canary runs, and health-checked; three
 * failed checks in a row restart the task.
 */
export function mainService(slug: Slug, hostnames: readonly Hostname[], settings: Settings): Service {
  return {
    Name: slug,
    Provider: settings.SERVICE_PROVIDER ?? 'nomad',
    PortLabel: 'http',
    TaskName: MAIN_TASK,
    Tags: hostnames.map((h) => `https://${h}`),
    CanaryTags: hostnames.map((h) => `https://canary-${h}`),
    Checks: [
      {
        Name: 'alive',
        Type: settings.CHECK_PROTOCOL,
        ...(settings.CHECK_PROTOCOL === 'http' ? { Path: settings.CHECK_PATH } : {}),
        PortLabel: 'http',
        Interval: CHECK_INTERVAL,
        Timeout: settings.CHECK_TIMEOUT,
        CheckRestart: { Limit: 3, Grace: settings.HEALTH_TIMEOUT },
      },
    ],
  };
}

/**
 * A service `<slug>--<name>` for each extra port, with a TCP check. An HTTPS port is tagged with
 * its own hostname; a raw TCP port, and every extra port of a multi-container group (private
 * ports such as a database), has no tag and so is not routed.
 */
export function extraService(slug: Slug, port: PortSpec, firstHostname: Hostname, settings: Settings): Service {
  const routed = port.kind === 'https' && !settings.MULTI_CONTAINER;
  return {
    Name: `${slug}--${port.label}`,
    Provider: settings.SERVICE_PROVIDER ?? 'nomad',
    PortLabel: port.label,
    // In a multi-container group the port belongs to a task from group.nomad, not to ours.
    ...(settings.MULTI_CONTAINER ? {} : { TaskName: MAIN_TASK }),
    Tags: routed ? [`https://${portHostname(firstHostname, port.label)}`] : [],
    CanaryTags: [],
    Checks: [{ Name: 'alive', Type: 'tcp', PortLabel: port.label, Interval: CHECK_INTERVAL, Timeout: settings.CHECK_TIMEOUT }],
  };
}

/**
 * The job with its Nomad-registered services registered in `provider` instead: the cluster's
 * default, for a job rendered without NOMAD_VAR_SERVICE_PROVIDER. Names, tags, canary tags and
 * checks stay as they are. Pure.
 */
export function withServiceProvider<J extends Pick<NomadJob, 'TaskGroups'>>(job: J, provider: 'nomad' | 'consul'): J {
  const move = (services: Service[] | undefined) => services?.map((s) => (s.Provider === 'nomad' ? { ...s, Provider: provider } : s));
  return {
    ...job,
    TaskGroups: job.TaskGroups.map((g) => ({
      ...g,
      ...(g.Services ? { Services: move(g.Services) } : {}),
      Tasks: g.Tasks.map((t) => ((t as { Services?: Service[] }).Services ? { ...t, Services: move((t as { Services?: Service[] }).Services) } : t)),
    })),
  };
}
