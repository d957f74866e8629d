import { execFile } from 'node:child_process';
import http from 'node:http';
import { promisify } from 'node:util';

/** The Docker engine's API over its unix socket: enough to tell whether it runs and to clean up. */
export class DockerEngine {
  constructor(readonly socketPath: string) {}

  request<T>(method: string, path: string, timeoutMs = 5_000): Promise<{ status: number; body: T }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ socketPath: this.socketPath, path, method, timeout: timeoutMs }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: (text && res.headers['content-type']?.includes('json') ? JSON.parse(text) : text) as T }));
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end();
    });
  }

  /** GET /_ping: true when the engine answers. */
  async ping(): Promise<boolean> {
    try {
      return (await this.request('GET', '/_ping', 2_000)).status === 200;
    } catch {
      return false;
    }
  }

  /** Containers (running or not) that carry a label, with their labels. */
  async containersWithLabel(label: string): Promise<{ Id: string; Labels: Record<string, string> }[]> {
    const filters = encodeURIComponent(JSON.stringify({ label: [label] }));
    return (await this.request<{ Id: string; Labels: Record<string, string> }[]>('GET', `/containers/json?all=1&filters=${filters}`)).body;
  }

  async removeContainer(id: string): Promise<void> {
    await this.request('DELETE', `/containers/${id}?force=1&v=1`, 30_000);
  }
}

/** DOCKER_HOST when it is a unix socket, else the default socket. */
export function dockerSocket(env: Readonly<Record<string, string | undefined>>): string {
  const host = env.DOCKER_HOST;
  return host?.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
}

const run = promisify(execFile);

/** Installs Debian's docker.io with apt, for `--install-deps` (root only). */
export async function installDockerPackage(say: (line: string) => void, inherited: Readonly<Record<string, string | undefined>>): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('installing Docker needs root: run `sudo nom up --install-deps`, or install Docker yourself');
  try {
    await run('apt-get', ['--version']);
  } catch {
    throw new Error('apt-get is not available: install a Docker engine with your system\'s package manager');
  }
  say('installing Debian\'s docker.io with apt-get …');
  const env = { ...inherited, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update', '-q'], { env, maxBuffer: 64 << 20 });
  await run('apt-get', ['install', '-y', '-q', 'docker.io'], { env, maxBuffer: 64 << 20 });
}
