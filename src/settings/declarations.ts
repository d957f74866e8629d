import { asHostname } from '../domain.js';
import { ValueProblem } from '../errors.js';
import { parseDuration, seconds, type Nanoseconds } from './duration.js';
import { parsePorts, type PortSpec } from './ports.js';
import { parseSleepAfter, type SleepAfter } from './sleep-after.js';
import {
  absolutePath, bindMountList, boolean, nomadName, oneOf, stringList, urlPath, volumeList, wholeNumber, type BindMount,
} from './values.js';

/**
 * Every NOMAD_VAR_* setting, declared once. The validator, the error messages, docs/settings.md's
 * settings table and `nom render --explain` all come from this table.
 */
export interface Declaration<T> {
  /** What kind of value, for people: shown in docs/settings.md's table. */
  readonly type: string;
  readonly default: T;
  /** The default as people should read it, when `default` alone does not say it. */
  readonly defaultText?: string;
  readonly description: string;
  readonly example: string;
  readonly parse: (text: string) => T;
  /** Accepted so existing pipelines keep working, but has no effect; says why. */
  readonly ignored?: string;
}

const declare = <T>(d: Declaration<T>): Declaration<T> => d;

/** Health durations: longer ones make no sense for a check, and far longer ones overflow Nomad's int64 nanoseconds. */
const durationUpTo24h = (text: string): Nanoseconds => {
  const ns = parseDuration(text);
  if (ns > 24 * 3600e9) throw new ValueProblem('expected a duration of at most 24h, like 1m or 30s');
  return ns;
};

const hostnameList = (text: string): string[] =>
  stringList('["www.example.com", "store"]')(text).map((name) => {
    try {
      return asHostname(name);
    } catch (e) {
      throw new ValueProblem(`${JSON.stringify(name)} is not a DNS name: ${(e as Error).message}`);
    }
  });

export const DECLARATIONS = {
  MEMORY: declare({
    type: 'integer, MB', default: 300, example: '1000', parse: wholeNumber('MB', 1, 1_048_576, '1000'),
    description: 'Memory the scheduler reserves for each container; the hard limit is ten times this.',
  }),
  CPU: declare({
    type: 'integer, MHz', default: 100, example: '1000', parse: wholeNumber('MHz', 1, 1_000_000, '1000'),
    description: 'CPU the scheduler reserves for each container (a soft limit).',
  }),
  COUNT: declare<number | undefined>({
    type: 'integer', default: undefined, defaultText: '1 (3 in production)', example: '3', parse: wholeNumber('', 0, 1000, '3'),
    description: 'How many containers run at once.',
  }),
  COUNT_CANARIES: declare({
    type: 'integer', default: 1, example: '0', parse: wholeNumber('', 0, 1000, '1'),
    description: 'Canaries started beside the running version on each deploy and promoted once healthy; 0 turns canaries off.',
  }),
  SERVICE_PROVIDER: declare<'nomad' | 'consul' | undefined>({
    type: 'nomad | consul', default: undefined, defaultText: "the cluster's (consul on a cluster made with --consul, else nomad)", example: 'consul', parse: oneOf('nomad', 'consul'),
    description: 'Where the services and their health checks register: Nomad\'s own service discovery, or Consul. The router follows both.',
  }),
  CHECK_PROTOCOL: declare({
    type: 'http | tcp', default: 'http' as 'http' | 'tcp', example: 'tcp', parse: oneOf('http', 'tcp'),
    description: 'Health check kind: an HTTP GET that must answer 2xx, or only a TCP connect.',
  }),
  CHECK_PATH: declare({
    type: 'path', default: '/', example: '/healthcheck', parse: urlPath,
    description: 'Path of the HTTP health check.',
  }),
  CHECK_TIMEOUT: declare<Nanoseconds>({
    type: 'duration, at most 24h', default: seconds(2), defaultText: '2s', example: '1m', parse: durationUpTo24h,
    description: 'How long one health check may take.',
  }),
  HEALTH_TIMEOUT: declare<Nanoseconds>({
    type: 'duration, at most 24h', default: seconds(20), defaultText: '20s', example: '3m', parse: durationUpTo24h,
    description: 'Grace after a container (re)starts before failing checks count; after 3 failures in a row the container restarts.',
  }),
  SLEEP_AFTER: declare<SleepAfter | undefined>({
    type: 'duration, or never', default: undefined, defaultText: "the cluster's for review apps (1h unless the operator says), never for main, staging and production",
    example: '30m', parse: parseSleepAfter,
    description: 'After this long without a request the router scales the app to zero; the next request wakes it and waits for it (see docs/sleep.md).',
  }),
  HOSTNAMES: declare<string[] | undefined>({
    type: 'list of hostnames', default: undefined, defaultText: '<slug>.<BASE_DOMAIN>', example: '["www.example.com", "store"]',
    parse: hostnameList,
    description: 'Custom hostnames, used on main-like and production deploys only; names without a dot get .<BASE_DOMAIN>.',
  }),
  PORTS: declare<PortSpec[]>({
    type: 'map port → name', default: [{ label: 'http', containerPort: 5000, kind: 'http' }], defaultText: '{ 5000 = "http" }',
    example: '{ 5000 = "http", 8080 = "admin", -7777 = "irc" }', parse: parsePorts,
    description: 'Container ports. Exactly one "http"; -1 asks for a dynamic port (read NOMAD_PORT_<name>); another port gets its own hostname <host>-<name>; a number below -1 is raw TCP without a hostname.',
  }),
  FORCE_PULL: declare<boolean | undefined>({
    type: 'boolean', default: undefined, defaultText: 'false', example: 'true', parse: boolean,
    description: 'Pull the image even when the node has it; needed when an image tag is reused.',
  }),
  NETWORK_MODE: declare({
    type: 'bridge | host', default: 'bridge' as 'bridge' | 'host', example: 'host', parse: oneOf('bridge', 'host'),
    description: "Docker network mode; host shares the node's network (e.g. for UDP broadcast), where an operator granted it (nom grants).",
  }),
  IS_BATCH: declare({
    type: 'boolean', default: false, example: 'true', parse: boolean,
    description: 'Run as a batch job that exits when done (add `periodic` in job.nomad for a cron); batch jobs are not routed.',
  }),
  MULTI_CONTAINER: declare({
    type: 'boolean', default: false, example: 'true', parse: boolean,
    description: 'The group has more tasks (from group.nomad): the main task gets only the http port, and extra ports stay private.',
  }),
  PERSISTENT_VOLUME: declare<string | undefined>({
    type: 'path', default: undefined, defaultText: 'none', example: '/pv', parse: absolutePath,
    description: 'Path in the container backed by the namespace\'s directory /pv/<NAMESPACE> on the nodes (the host volume pv-<NAMESPACE>; on a trusted cluster the project\'s /pv/<CI_PROJECT_PATH_SLUG>, as before), kept across deploys.',
  }),
  HOME: declare<'ro' | 'rw' | undefined>({
    type: 'ro | rw', default: undefined, defaultText: 'none', example: 'ro', parse: oneOf('ro', 'rw'),
    description: "Mount the nodes' /home (host volume home-ro or home-rw) at /home, where an operator granted it (nom grants).",
  }),
  VOLUMES: declare<string[]>({
    type: 'list of host:container[:ro]', default: [], defaultText: '[]', example: '["/usr/games:/usr/games:ro"]', parse: volumeList,
    description: 'Host directories passed into the container; only those an operator granted the namespace (nom grants).',
  }),
  BIND_MOUNTS: declare<BindMount[]>({
    type: 'list of mounts', default: [], defaultText: '[]',
    example: '[{ type = "bind", readonly = true, source = "/usr/games", target = "/usr/games" }]', parse: bindMountList,
    description: 'Docker bind mounts; of host paths an operator granted the namespace only (nom grants).',
  }),
  NAMESPACE: declare({
    type: 'name', default: 'default', example: 'team-a', parse: nomadName,
    description: 'Nomad namespace of the job (and of its secrets).',
  }),
  NO_DEPLOY: declare({
    type: 'boolean', default: false, example: 'true', parse: boolean,
    description: 'Do nothing and succeed: for projects that use CI but are not deployed.',
  }),
  DEPLOY_WITH_PODMAN: declare({
    type: 'boolean', default: false, example: 'true', parse: boolean,
    description: 'Run the task with the podman driver instead of docker.',
  }),
  BUILD_DEPLOY: declare<string | undefined>({
    type: 'Dockerfile', default: undefined, defaultText: 'none', example: 'Dockerfile.deploy',
    parse: (text) => text,
    description: 'A second Dockerfile built for the deployed image (the build stage tags it <sha>-deploy); deploy uses that tag.',
  }),
  CONSUL_PATH: declare<string | undefined>({
    type: 'path', default: undefined, defaultText: 'none', example: '/usr/bin/consul', parse: (text) => text,
    ignored: 'secrets now live in Nomad Variables, so Consul is not used',
    description: 'Ignored: secrets now live in Nomad Variables, not Consul.',
  }),
};

export type SettingName = keyof typeof DECLARATIONS;
export type Settings = { readonly [K in SettingName]: (typeof DECLARATIONS)[K]['default'] };
