/**
 * Consul beside Nomad: the local agent's configuration and the ACL policies of the tokens nom
 * makes. Pure: ports and paths in, documents out.
 */

/** Consul's ports next to Nomad's: HTTP, Serf LAN and server RPC; DNS, WAN and gRPC are off. */
export function consulPorts(nomadHttpPort: number): { http: number; serfLan: number; server: number } {
  return { http: nomadHttpPort + 7, serfLan: nomadHttpPort + 8, server: nomadHttpPort + 9 };
}

/** The single-node Consul server of `nom up --consul`, on loopback, ACLs on and denying by default. */
export function localConsulConfig(o: { dataDir: string; nomadHttpPort: number }): Record<string, unknown> {
  const ports = consulPorts(o.nomadHttpPort);
  return {
    node_name: 'nom-local',
    data_dir: o.dataDir,
    server: true,
    bootstrap_expect: 1,
    bind_addr: '127.0.0.1',
    client_addr: '127.0.0.1',
    advertise_addr: '127.0.0.1',
    ports: { http: ports.http, serf_lan: ports.serfLan, server: ports.server, dns: -1, serf_wan: -1, grpc: -1 },
    acl: { enabled: true, default_policy: 'deny', enable_token_persistence: true },
    disable_update_check: true,
    // A check's output reaches the catalog at once, not only when its status changes: a failed
    // deploy says what the check saw.
    check_update_interval: '0s',
    log_level: 'INFO',
    ui_config: { enabled: false },
  };
}

export interface ConsulPolicy {
  readonly Name: string;
  readonly Description: string;
  readonly Rules: string;
}

/**
 * The tokens nom makes, each with the least it needs:
 * - the Consul agent registers its own node;
 * - Nomad registers and deregisters its jobs' services and checks (it reads agents and nodes to
 *   do so). No key_prefix: in Nomad 1.6 a job's templates read Consul with this token, and no
 *   job may read another's keys;
 * - the router and the operators' read token read services, nodes and their checks.
 */
export function consulPolicies(): { agent: ConsulPolicy; nomad: ConsulPolicy; reader: ConsulPolicy } {
  return {
    agent: { Name: 'nom-consul-agent', Description: 'nom: the Consul agent registers its node', Rules: 'node_prefix "" {\n  policy = "write"\n}\nservice_prefix "" {\n  policy = "read"\n}\n' },
    nomad: {
      Name: 'nom-nomad',
      Description: "nom: Nomad registers its jobs' services and checks",
      Rules: 'agent_prefix "" {\n  policy = "read"\n}\nnode_prefix "" {\n  policy = "read"\n}\nservice_prefix "" {\n  policy = "write"\n}\n',
    },
    reader: { Name: 'nom-reader', Description: 'nom: the router and operators read services, nodes and checks', Rules: 'node_prefix "" {\n  policy = "read"\n}\nservice_prefix "" {\n  policy = "read"\n}\n' },
  };
}

/** Nomad's `consul` block: where the agent is, with Nomad's token; Nomad advertises itself there. */
export function nomadConsulBlock(address: string, token: string): Record<string, unknown> {
  return { address, token, auto_advertise: true, server_auto_join: false, client_auto_join: false };
}
