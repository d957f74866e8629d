import { routerConfig, type IngressPorts, type RouterConfig } from '../../router/router-config.js';
import { declaredHostVolumes, dockerPluginConfig, driverDenylist, pvHostVolumes } from '../agent-hardening.js';
import { pvNamespaces, type ClusterSpec } from './cluster-spec.js';

/**
 * Every file `nom cluster create` writes on a node, made from the cluster's spec and the node's
 * facts by pure functions (golden-file tested): the Nomad agent's configuration, the service
 * units, and on ingress nodes the router's configuration.
 */
export const PATHS = {
  nomadBinary: '/usr/local/bin/nomad',
  caddyBinary: '/usr/local/bin/caddy',
  nomadConfigDir: '/etc/nomad.d',
  nomadConfig: '/etc/nomad.d/nomad.json',
  tlsDir: '/etc/nomad.d/tls',
  caCert: '/etc/nomad.d/tls/ca.pem',
  nodeCert: '/etc/nomad.d/tls/node.pem',
  nodeKey: '/etc/nomad.d/tls/node-key.pem',
  dataDir: '/opt/nomad/data',
  nomLib: '/usr/local/lib/nom',
  node: '/usr/local/lib/nom/node',
  nomBundle: '/usr/local/lib/nom/dist/nom.mjs',
  consoleDir: '/usr/local/lib/nom/dist/console',
  service: '/usr/local/lib/nom/nom-service',
  servicesDir: '/etc/nom/services',
  routerConfig: '/etc/nom/router.json',
  routerEnv: '/etc/nom/services/nom-router.env',
  caddyConfig: '/etc/nom/caddy.json',
  caddyData: '/var/lib/nom/caddy',
  pv: '/pv',
  home: '/home',
  // Consul (`--consul`): its binary, configuration (0600: the gossip key), agent token, data;
  // and Nomad's consul block, in a file of its own (0600: Nomad's Consul token).
  consulBinary: '/usr/local/bin/consul',
  consulConfigDir: '/etc/consul.d',
  consulConfig: '/etc/consul.d/consul.json',
  consulAgentToken: '/etc/consul.d/agent-token.json',
  consulDataDir: '/opt/consul/data',
  nomadConsulConfig: '/etc/nomad.d/consul.json',
} as const;

/** Consul's HTTP API on every node: loopback only (Nomad and the router run beside it). */
export const CONSUL_HTTP = '127.0.0.1:8500';

/** The ports of an ingress node: HTTP and HTTPS for everyone, the rest on loopback only. */
export const INGRESS_PORTS: IngressPorts = { https: 443, http: 80, routerStatus: 4650, noInstance: 4652, wake: 4653 };

export interface NodeIdentity {
  /** The node's name in Nomad: its hostname. */
  readonly name: string;
  /** The address the node was reached at, as it sees itself: it binds to and advertises this one. */
  readonly address: string;
}

/**
 * The Nomad agent of a node, server and client in one, as the JSON form of its configuration:
 * TLS for HTTP and RPC from the cluster CA, gossip encrypted, ACLs on, the docker plugin
 * hardened (no host paths unless the cluster is trusted), the host volumes the house job
 * mounts. `servers` are the addresses of all servers to join.
 */
export function nomadAgentConfig(spec: ClusterSpec, node: NodeIdentity, o: { servers: readonly string[]; bootstrapExpect: number; gossipKey: string; nfsPv: boolean }): Record<string, unknown> {
  return {
    name: node.name,
    region: spec.region,
    datacenter: spec.datacenter,
    data_dir: PATHS.dataDir,
    // Its own address only: a node may have others (a public one, docker's bridge…).
    bind_addr: node.address,
    advertise: { http: node.address, rpc: node.address, serf: node.address },
    disable_update_check: true,
    log_level: 'INFO',
    acl: { enabled: true },
    tls: {
      http: true,
      rpc: true,
      ca_file: PATHS.caCert,
      cert_file: PATHS.nodeCert,
      key_file: PATHS.nodeKey,
      // Servers prove they are servers of this region; HTTP clients need only the CA (and a token).
      verify_server_hostname: true,
      verify_https_client: false,
    },
    server: {
      enabled: true,
      bootstrap_expect: o.bootstrapExpect,
      encrypt: o.gossipKey,
      server_join: { retry_join: o.servers.filter((s) => s !== node.address), retry_interval: '5s' },
      default_scheduler_config: { memory_oversubscription_enabled: true },
    },
    client: {
      enabled: true,
      // Allocations get the node's own address: the interface that carries it.
      network_interface: `{{ GetAllInterfaces | include "address" "${node.address}" | attr "name" }}`,
      host_volume: {
        'home-ro': { path: PATHS.home, read_only: true },
        'home-rw': { path: PATHS.home, read_only: false },
        ...pvHostVolumes(pvNamespaces(spec)),
        ...declaredHostVolumes(spec.hostVolumes),
      },
      meta: { 'nom.pv': o.nfsPv ? 'nfs' : 'local' },
      options: driverDenylist(),
    },
    plugin: [{ docker: [{ config: [dockerPluginConfig({ hostPaths: spec.trusted })] }] }],
  };
}

/**
 * The Consul agent of a node, a server beside its Nomad server: gossip encrypted with its own
 * key, RPC over mutual TLS from the cluster CA (servers prove `server.<dc>.consul`), ACLs on and
 * denying by default, the HTTP API on loopback only, DNS and gRPC off. Pure.
 */
export function consulAgentConfig(spec: ClusterSpec, node: NodeIdentity, o: { servers: readonly string[]; bootstrapExpect: number; gossipKey: string }): Record<string, unknown> {
  return {
    node_name: node.name,
    datacenter: spec.datacenter,
    data_dir: PATHS.consulDataDir,
    server: true,
    bootstrap_expect: o.bootstrapExpect,
    bind_addr: node.address,
    advertise_addr: node.address,
    client_addr: '127.0.0.1',
    retry_join: o.servers.filter((s) => s !== node.address),
    encrypt: o.gossipKey,
    ports: { http: Number(CONSUL_HTTP.split(':')[1]), dns: -1, grpc: -1 },
    tls: {
      defaults: { ca_file: PATHS.caCert, cert_file: PATHS.nodeCert, key_file: PATHS.nodeKey, verify_incoming: true, verify_outgoing: true },
      internal_rpc: { verify_server_hostname: true },
    },
    acl: { enabled: true, default_policy: 'deny', enable_token_persistence: true },
    // A check's output reaches the catalog at once: a failed deploy says what the check saw.
    check_update_interval: '0s',
    disable_update_check: true,
    log_level: 'INFO',
    ui_config: { enabled: false },
  };
}

/** The Consul agent's own token (`acl.tokens.agent`): it registers its node. */
export function consulAgentTokenConfig(token: string): string {
  return `${JSON.stringify({ acl: { tokens: { agent: token } } }, null, 2)}\n`;
}

/** Nomad's consul block, with Nomad's Consul token, in a file of its own beside nomad.json. */
export function nomadConsulConfig(block: Record<string, unknown>): string {
  return `${JSON.stringify({ consul: block }, null, 2)}\n`;
}

/** How nom-service runs each service: its command line (and, under systemd, its unit). */
export interface ServiceDefinition {
  readonly name: 'docker' | 'consul' | 'nomad' | 'caddy' | 'nom-router';
  readonly description: string;
  readonly command: readonly string[];
  /** SIGINT lets Nomad leave the cluster gracefully. */
  readonly stopSignal: 'SIGINT' | 'SIGTERM';
  readonly after: readonly string[];
}

export function serviceDefinitions(ingress: boolean, consul = false): ServiceDefinition[] {
  const services: ServiceDefinition[] = [
    { name: 'docker', description: 'Docker engine', command: ['dockerd'], stopSignal: 'SIGTERM', after: ['network-online.target'] },
    // SIGINT: a Consul server does not leave the cluster on it (skip_leave_on_interrupt).
    ...(consul ? [{ name: 'consul', description: 'Consul agent (nom)', command: [PATHS.consulBinary, 'agent', `-config-dir=${PATHS.consulConfigDir}`], stopSignal: 'SIGINT', after: ['network-online.target'] } as const] : []),
    {
      name: 'nomad', description: 'Nomad agent (nom)', command: [PATHS.nomadBinary, 'agent', `-config=${PATHS.nomadConfigDir}`], stopSignal: 'SIGINT',
      after: ['network-online.target', 'docker.service', ...(consul ? ['consul.service'] : [])],
    },
  ];
  if (ingress) {
    services.push(
      { name: 'caddy', description: 'Caddy, the ingress (configured by nom-router)', command: [PATHS.caddyBinary, 'run', '--config', PATHS.caddyConfig], stopSignal: 'SIGTERM', after: ['network-online.target'] },
      { name: 'nom-router', description: 'nom router: routes from Nomad\'s services to Caddy', command: [PATHS.node, PATHS.nomBundle, 'router', '--config', PATHS.routerConfig], stopSignal: 'SIGTERM', after: ['nomad.service', 'caddy.service'] },
    );
  }
  return services;
}

const shellWord = (w: string) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

/** A systemd unit that restarts the service when it fails. */
export function systemdUnit(s: ServiceDefinition): string {
  const environmentFile = `-${PATHS.servicesDir}/${s.name}.env`;
  return [
    '# Written by nom cluster create.',
    '[Unit]',
    `Description=${s.description}`,
    `Wants=${s.after.join(' ')}`,
    `After=${s.after.join(' ')}`,
    '',
    '[Service]',
    `EnvironmentFile=${environmentFile}`,
    `ExecStart=${s.command.map(shellWord).join(' ')}`,
    'ExecReload=/bin/kill -HUP $MAINPID',
    'KillMode=process',
    `KillSignal=${s.stopSignal}`,
    'Restart=on-failure',
    'RestartSec=2',
    'LimitNOFILE=65536',
    ...(s.name === 'nomad' ? ['TasksMax=infinity', 'OOMScoreAdjust=-1000'] : []),
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/**
 * The service for nom-service where systemd does not run (a container, WSL): the signal that
 * stops it, then its command line.
 */
export function serviceCommand(s: ServiceDefinition): string {
  return `${s.stopSignal.replace(/^SIG/, '')}\n${s.command.map(shellWord).join(' ')}\n`;
}

/**
 * nom-service: start, restart, stop and status of nom's services, through systemd where it
 * runs, and otherwise through a small supervisor that restarts a service that exits (2 s
 * apart), so hosts without systemd behave alike.
 */
export function nomServiceScript(): string {
  return `#!/bin/sh
# nom-service {start|restart|stop|status|supervise} <service>  (written by nom cluster create)
# systemd when it runs; otherwise a supervisor loop restarts the service whenever it exits.
set -eu
action=$1 name=$2
cmd_file=${PATHS.servicesDir}/$name.cmd
run=/run/nom; log=/var/log/nom
pid_file=$run/$name.pid
mkdir -p "$run" "$log"
if [ -d /run/systemd/system ]; then
  case "$action" in
    start) systemctl daemon-reload; systemctl enable --now "$name" ;;
    restart) systemctl daemon-reload; systemctl enable "$name"; systemctl restart "$name" ;;
    stop) systemctl stop "$name" ;;
    status) systemctl is-active --quiet "$name" ;;
    *) echo "nom-service: $action?" >&2; exit 2 ;;
  esac
  exit
fi
running() { [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }
stop() {
  if running; then
    pid=$(cat "$pid_file"); kill -TERM "$pid"
    i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
  fi
  rm -f "$pid_file"
}
# The supervisor writes its own pid; wait for it, so that status is right at once.
launch() {
  rm -f "$pid_file"
  setsid "$0" supervise "$name" </dev/null >/dev/null 2>&1 &
  i=0; until running || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
  running
}
case "$action" in
  supervise)
    echo $$ >"$pid_file"
    # A service's environment (the router's Nomad address and token), when it has one.
    # shellcheck disable=SC1090
    if [ -f "${PATHS.servicesDir}/$name.env" ]; then set -a; . "${PATHS.servicesDir}/$name.env"; set +a; fi
    signal=$(sed -n 1p "$cmd_file")
    child=
    trap 'trap - TERM INT; [ -n "$child" ] && kill -"$signal" "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0' TERM INT
    while :; do
      eval "set -- $(sed -n 2p "$cmd_file")"
      "$@" >>"$log/$name.log" 2>&1 &
      child=$!
      wait "$child" || true
      echo "nom-service: $name exited; starting it again in 2s" >>"$log/$name.log"
      sleep 2
    done ;;
  start) running || launch ;;
  restart) stop; launch ;;
  stop) stop ;;
  status) running ;;
  *) echo "nom-service: $action?" >&2; exit 2 ;;
esac
`;
}

/**
 * The router of an ingress node: Caddy listens on every address (80, 443), its admin API and the
 * router on loopback; certificates from ACME when an email is given, else Caddy's internal CA.
 */
export function clusterRouterConfig(spec: ClusterSpec, node: Pick<NodeIdentity, 'address'>): RouterConfig {
  const config = routerConfig(INGRESS_PORTS, `${PATHS.caddyData}/admin.sock`, {
    bindHost: '',
    tls: spec.acmeEmail ? { mode: 'acme', email: spec.acmeEmail } : { mode: 'internal' },
    storageDir: PATHS.caddyData,
    // The apex is where pipelines without NOMAD_ADDR reach the cluster: no job may take it.
    ...(spec.baseDomain ? { unknownHostRedirect: `https://${spec.baseDomain}/`, reservedHostnames: [spec.baseDomain] } : {}),
    // The console at nom.<base domain>: the page from next to the router's bundle, Nomad's API through this node's agent.
    ...(spec.baseDomain
      ? { console: { hostnames: [`nom.${spec.baseDomain}`], root: '', nomad: { dial: `${node.address}:4646`, caFile: PATHS.caCert }, router: `127.0.0.1:${INGRESS_PORTS.routerStatus}` } }
      : {}),
  });
  const withSleep = spec.sleep ? { ...config, sleep: spec.sleep } : config;
  return spec.consul ? { ...withSleep, consul: { address: `http://${CONSUL_HTTP}` } } : withSleep;
}

/** The router's environment on an ingress node: its own agent, over TLS, with the router's token (and Consul's read token). */
export function routerEnvironment(node: NodeIdentity, token: string, consulToken?: string): string {
  return [`NOMAD_ADDR=https://${node.address}:4646`, `NOMAD_CACERT=${PATHS.caCert}`, `NOMAD_TOKEN=${token}`, ...(consulToken ? [`CONSUL_HTTP_TOKEN=${consulToken}`] : []), ''].join('\n');
}
