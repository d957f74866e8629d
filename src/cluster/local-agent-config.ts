import { declaredHostVolumes, dockerPluginConfig, driverDenylist, pvHostVolumes, type DeclaredHostVolume } from './agent-hardening.js';

/**
 * The agent configuration of the single-node local cluster (server and client in one), as the
 * JSON form of Nomad's agent config. Pure: paths and ports in, document out.
 */
export interface LocalAgentOptions {
  readonly dataDir: string;
  readonly httpPort: number;
  /** Directory mounted by the host volumes home-ro and home-rw. */
  readonly homeDir: string;
  /** Namespaces with a persistent directory, /pv/<ns> (the host volume pv-<ns>). */
  readonly pvNamespaces: readonly string[];
  /** Whether the docker plugin mounts host paths (`nom up --trusted`). */
  readonly hostPaths: boolean;
  /** Directories offered as named host volumes (`nom up --host-volume`). */
  readonly hostVolumes?: readonly DeclaredHostVolume[];
  /** Nomad's `consul` block (`nom up --consul`): services with provider consul register there. */
  readonly consul?: Record<string, unknown>;
  /** Ports of nom's own on 127.0.0.1 (Caddy's listeners): never given to an allocation. */
  readonly ingressPorts?: readonly number[];
}

export function localAgentConfig(o: LocalAgentOptions): Record<string, unknown> {
  const loopback = '127.0.0.1';
  return {
    name: 'nom-local',
    data_dir: o.dataDir,
    // Loopback only: a laptop cluster must not expose its API or its apps to the network.
    bind_addr: loopback,
    advertise: { http: loopback, rpc: loopback, serf: loopback },
    ports: { http: o.httpPort, rpc: o.httpPort + 1, serf: o.httpPort + 2 },
    disable_update_check: true,
    log_level: 'INFO',
    acl: { enabled: true },
    server: {
      enabled: true,
      bootstrap_expect: 1,
      // The house job sets memory_max (ten times MEMORY); without this Nomad ignores it.
      default_scheduler_config: { memory_oversubscription_enabled: true },
    },
    client: {
      enabled: true,
      // Allocations get loopback addresses, so Docker publishes their ports on 127.0.0.1 only.
      network_interface: 'lo',
      // Nom's own ports (Nomad's, the router's, Consul's: the ten after the HTTP port; Caddy's
      // listeners) are never an allocation's dynamic port, should they fall in Nomad's range
      // (20000-32000), as the tests' 24646 does.
      reserved: { reserved_ports: [`${o.httpPort}-${o.httpPort + 10}`, ...(o.ingressPorts ?? []).map(String)].join(',') },
      // Cloud metadata probes only slow a laptop's start (and env_aws fails outright when
      // AWS_CA_BUNDLE is set).
      options: { 'fingerprint.denylist': 'env_aws,env_gce,env_azure,env_digitalocean', ...driverDenylist() },
      host_volume: {
        'home-ro': { path: o.homeDir, read_only: true },
        'home-rw': { path: o.homeDir, read_only: false },
        ...pvHostVolumes(o.pvNamespaces),
        ...declaredHostVolumes(o.hostVolumes ?? []),
      },
    },
    // Plugin blocks must be lists in the JSON form of the agent config (HCL1's JSON rules).
    // Images are often built here and exist nowhere else: never garbage-collect them.
    ...(o.consul ? { consul: o.consul } : {}),
    plugin: [{ docker: [{ config: [dockerPluginConfig({ hostPaths: o.hostPaths }, { gc: [{ image: false }] })] }] }],
  };
}
