import { sleepBlock, type SleepBlock } from '../../router/sleep-policy.js';
import { InputError } from '../../errors.js';
import { parseHostVolume, type DeclaredHostVolume } from '../agent-hardening.js';

/** A machine nom reaches with the system ssh: `[user@]host[:port]`, as the user wrote it. */
export interface SshTarget {
  /** As given on the command line; the key of this host everywhere. */
  readonly spec: string;
  readonly user: string | undefined;
  readonly host: string;
  readonly port: number | undefined;
}

/** What `nom cluster create` and `add` are asked for. */
export interface ClusterSpec {
  /** Local name of the cluster: where its keys live under ~/.config/nom/clusters/. */
  readonly name: string;
  readonly hosts: readonly SshTarget[];
  /** The host whose agent bootstraps ACLs and whose address nom uses for the API. */
  readonly first: SshTarget;
  /** Hosts that also run Caddy and nom's router (taking HTTP and HTTPS traffic). */
  readonly ingress: readonly SshTarget[];
  /** The namespace the CI token may deploy to. */
  readonly namespace: string;
  readonly datacenter: string;
  readonly region: string;
  /** `host:/export` mounted at /pv on every node, for persistent volumes shared across nodes. */
  readonly nfsPv: string | undefined;
  /** Where installed binaries come from: a local directory (offline), or the official releases. */
  readonly binaries: string | undefined;
  /** ACME settings of the ingress; internal (Caddy's own CA) when no email is given. */
  readonly acmeEmail: string | undefined;
  readonly baseDomain: string | undefined;
  /** Every pusher administers the nodes: the docker plugin mounts host paths, and the namespace is granted everything. */
  readonly trusted: boolean;
  /** Directories every node offers as named host volumes (`--host-volume name=/dir[:ro]`). */
  readonly hostVolumes: readonly DeclaredHostVolume[];
  /** Consul servers beside the Nomad servers, and the default service provider (`--consul`). */
  readonly consul: boolean;
  /** When review apps sleep and expire on this cluster (`--sleep-after`, `--expire-after`), as the routers' configuration says it. */
  readonly sleep?: SleepBlock | undefined;
}

/** The namespaces whose persistent directory (/pv/<ns>, the host volume pv-<ns>) the nodes offer. */
export const pvNamespaces = (spec: Pick<ClusterSpec, 'namespace'>) => [...new Set(['default', spec.namespace])];

const HOST = /^(?:([a-z_][a-z0-9_.-]*)@)?([a-zA-Z0-9.-]+|\[[0-9a-fA-F:]+\])(?::(\d{1,5}))?$/;

/** Reads `[user@]host[:port]`; the error names the argument. */
export function sshTarget(text: string, what = 'host'): SshTarget {
  const m = HOST.exec(text.trim());
  const port = m?.[3] ? Number(m[3]) : undefined;
  if (!m || (port !== undefined && (port < 1 || port > 65535))) {
    throw InputError.of(`${what} ${JSON.stringify(text)} is not [user@]host[:port], like admin@10.0.0.5 or node1.example.com:2222`);
  }
  return { spec: text.trim(), user: m[1], host: m[2]!.replace(/^\[|\]$/g, ''), port };
}

/** The names and facts every node's files are made from, checked before any host is touched. */
export function clusterSpec(o: {
  hosts: readonly string[];
  first?: string | undefined;
  ingress?: readonly string[] | undefined;
  name?: string | undefined;
  namespace?: string | undefined;
  nfsPv?: string | undefined;
  binaries?: string | undefined;
  acmeEmail?: string | undefined;
  baseDomain?: string | undefined;
  trusted?: boolean | undefined;
  hostVolumes?: readonly string[] | undefined;
  consul?: boolean | undefined;
  sleepAfter?: string | undefined;
  expireAfter?: string | undefined;
}): ClusterSpec {
  if (!o.hosts.length) throw InputError.of('name the hosts: nom cluster create <host>… (each [user@]host[:port])');
  const hosts = o.hosts.map((h) => sshTarget(h));
  const specs = new Set<string>();
  for (const h of hosts) {
    if (specs.has(h.spec)) throw InputError.of(`host ${h.spec} is named twice`);
    specs.add(h.spec);
  }
  const pick = (text: string, flag: string) => {
    const t = sshTarget(text, flag);
    const found = hosts.find((h) => h.spec === t.spec || h.host === t.host);
    if (!found) throw InputError.of(`${flag} ${text} is not one of the hosts: ${hosts.map((h) => h.spec).join(', ')}`);
    return found;
  };
  const first = o.first ? pick(o.first, '--first') : hosts[0]!;
  const ingress = o.ingress?.length ? o.ingress.map((h) => pick(h, '--ingress')) : hosts;
  // It goes into /etc/fstab and a shell script on every node: nothing but a host and a path.
  if (o.nfsPv !== undefined && !/^([A-Za-z0-9][A-Za-z0-9.-]*|\[[0-9A-Fa-f:.]+\]):\/[A-Za-z0-9._\/-]*$/.test(o.nfsPv)) {
    throw InputError.of(`--nfs-pv ${JSON.stringify(o.nfsPv)} is not host:/export (a host name or address, and a path of letters, digits, ".", "_", "-" and "/"), like nfs.example.com:/srv/pv`);
  }
  const name = o.name ?? first.host;
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw InputError.of(`--name ${JSON.stringify(name)}: use letters, digits, ".", "_" and "-"`);
  const namespace = o.namespace ?? 'default';
  if (!/^[a-zA-Z0-9-]{1,128}$/.test(namespace)) throw InputError.of(`--namespace ${JSON.stringify(namespace)} is not a Nomad namespace name (letters, digits and -)`);
  let sleep;
  try {
    sleep = sleepBlock({ reviewAppsAfter: o.sleepAfter, expireReviewAppsAfter: o.expireAfter }, { reviewAppsAfter: '--sleep-after', expireReviewAppsAfter: '--expire-after' });
  } catch (e) {
    throw InputError.of((e as Error).message);
  }
  return { name, hosts, first, ingress, namespace, datacenter: 'dc1', region: 'global', nfsPv: o.nfsPv, binaries: o.binaries, acmeEmail: o.acmeEmail, baseDomain: o.baseDomain, trusted: Boolean(o.trusted), hostVolumes: (o.hostVolumes ?? []).map((text) => parseHostVolume(text)), consul: Boolean(o.consul), ...(sleep ? { sleep } : {}) };
}
