/**
 * Machines for `nom cluster create` to set up, made on this one: each a network namespace on a
 * bridge (its own address, 10.199.0.N), and a mount namespace in which the paths nom installs
 * to are the machine's own (/etc, /opt, /run, /var/lib/docker…), with its own sshd. nom reaches
 * them with the system ssh, as it would real hosts; their Docker engines, Nomad agents and
 * everything else run inside. `destroy` removes every trace.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../src/cluster/processes.js';

export interface TestHost {
  readonly name: string;
  readonly address: string;
  readonly netns: string;
}

const BRIDGE = 'nomtbr0';
const SUBNET = '10.199.0';

/** The directories that are each machine's own; the rest of the file system is shared. */
const PRIVATE = ['/etc/nomad.d', '/etc/consul.d', '/etc/nom', '/etc/docker', '/etc/systemd/system', '/opt/nomad', '/opt/consul', '/var/lib/docker', '/var/lib/containerd', '/var/lib/nom', '/var/log/nom', '/usr/local/bin', '/usr/local/lib/nom', '/pv', '/home'];

const sh = (script: string) => execFileSync('bash', ['-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * `count` machines, numbered from 2; `home` gets an ssh key and an ~/.ssh/config that reaches
 * them as root (what a user's own config would say).
 */
export async function makeHosts(count: number, work: string, home: string): Promise<{ hosts: TestHost[]; destroy: () => Promise<void> }> {
  const sshDir = join(home, '.ssh');
  mkdirSync(sshDir, { recursive: true, mode: 0o700 });
  const key = join(sshDir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  writeFileSync(join(sshDir, 'config'), `Host ${SUBNET}.*\n  User root\n  IdentityFile ${key}\n  UserKnownHostsFile ${join(sshDir, 'known_hosts')}\n  StrictHostKeyChecking accept-new\n  LogLevel ERROR\n`);
  sh(`ip link add ${BRIDGE} type bridge 2>/dev/null || true; ip addr add ${SUBNET}.1/24 dev ${BRIDGE} 2>/dev/null || true; ip link set ${BRIDGE} up`);
  // Docker's FORWARD policy drops bridged traffic (br_netfilter): let the machines talk.
  sh(`iptables -C FORWARD -i ${BRIDGE} -o ${BRIDGE} -j ACCEPT 2>/dev/null || iptables -I FORWARD -i ${BRIDGE} -o ${BRIDGE} -j ACCEPT`);
  // Mount points made for the machines' own directories are removed again.
  const made = PRIVATE.filter((d) => !existsSync(d));

  const hosts: TestHost[] = [];
  for (let i = 2; i < 2 + count; i++) hosts.push(await makeHost(i, work, `${key}.pub`));
  const destroy = async () => {
    for (const h of hosts) {
      // The machine's containers first, through its own Docker engine (the dockerd in its network
      // namespace), then everything that runs in it.
      sh(`for p in $(ip netns pids ${h.netns} 2>/dev/null); do
            [ "$(cat /proc/$p/comm 2>/dev/null)" = dockerd ] || continue
            nsenter -t $p -m -n docker ps -aq | xargs -r nsenter -t $p -m -n docker rm -f >/dev/null 2>&1 || true
          done`);
      sh(`for p in $(ip netns pids ${h.netns}); do kill -9 $p 2>/dev/null || true; done; sleep 0.2; ip netns del ${h.netns} 2>/dev/null || true; ip link del nomt${h.name.slice(4)} 2>/dev/null || true`);
    }
    sh(`iptables -D FORWARD -i ${BRIDGE} -o ${BRIDGE} -j ACCEPT 2>/dev/null || true; ip link del ${BRIDGE} 2>/dev/null || true`);
    for (const d of made) sh(`rmdir ${d} 2>/dev/null || true`);
  };
  return { hosts, destroy };
}

async function makeHost(n: number, work: string, publicKey: string): Promise<TestHost> {
  const name = `host${n}`;
  const netns = `nomt-${n}`;
  const address = `${SUBNET}.${n}`;
  const root = join(work, name);
  for (const dir of PRIVATE) mkdirSync(join(root, dir), { recursive: true });
  mkdirSync(join(root, 'ssh'), { recursive: true });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(root, 'ssh', 'host_key')]);
  writeFileSync(join(root, 'ssh', 'sshd_config'), [
    `ListenAddress ${address}`, `HostKey ${join(root, 'ssh', 'host_key')}`, `AuthorizedKeysFile ${publicKey}`, 'PermitRootLogin prohibit-password',
    'PasswordAuthentication no', 'UsePAM no', 'StrictModes no', `PidFile /run/sshd-${name}.pid`, 'AcceptEnv LANG LC_*', '',
  ].join('\n'));
  // What a run that was killed may have left.
  sh(`ip netns del ${netns} 2>/dev/null; ip link del nomt${n} 2>/dev/null; true`);
  sh(`set -e
    ip netns add ${netns}
    ip link add nomt${n} type veth peer name eth0 netns ${netns}
    ip link set nomt${n} master ${BRIDGE} up
    ip netns exec ${netns} ip addr add ${address}/24 dev eth0
    ip netns exec ${netns} ip link set eth0 up
    ip netns exec ${netns} ip link set lo up
    ip netns exec ${netns} ip route add default via ${SUBNET}.1`);
  // Its own view of the machine's paths, then its sshd (each login inherits both).
  const mounts = [...PRIVATE.map((d) => `mkdir -p ${d} && mount --bind ${join(root, d)} ${d}`), 'mount -t tmpfs tmpfs /run', 'mkdir -p /run/sshd', 'chmod 0755 /run/sshd'].join(' && ');
  // nsenter, not ip netns exec: that would mount another /sys, without the cgroups Docker needs.
  spawn('nsenter', [`--net=/var/run/netns/${netns}`, 'unshare', '--mount', '--uts', '--propagation', 'private', 'sh', '-c', `hostname ${name} && ${mounts} && exec /usr/sbin/sshd -D -e -f ${join(root, 'ssh', 'sshd_config')}`], {
    detached: true, stdio: ['ignore', 'ignore', 'ignore'],
  }).unref();
  await waitFor(async () => (sh(`ip netns exec ${netns} sh -c 'ss -ltn | grep -q "${address}:22 " && echo up || true'`).includes('up') ? true : undefined), {
    timeoutMs: 10_000, intervalMs: 100, onTimeout: () => new Error(`the sshd of ${name} did not start`),
  });
  return { name, address, netns };
}
