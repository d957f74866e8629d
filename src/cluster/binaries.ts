import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { untarEntry } from './untar.js';
import { unzipEntry } from './unzip.js';
import { CADDY_VERSION, CONSUL_VERSION, NOMAD_VERSION } from './versions.js';

type Env = Readonly<Record<string, string | undefined>>;

/** ~/.cache/nom, or $NOM_CACHE, where binaries built or downloaded for nom live. */
export function cacheDir(env: Env, homedir: string): string {
  return env.NOM_CACHE || join(env.XDG_CACHE_HOME || join(homedir, '.cache'), 'nom');
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A program on PATH, else undefined. */
export function onPath(name: string, env: Env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

const PINNED = { nomad: NOMAD_VERSION, caddy: CADDY_VERSION, consul: CONSUL_VERSION } as const;

/**
 * Finds a binary: $NOM_<NAME>_BIN, then PATH, then the pinned version in the cache
 * (<cache>/bin/<name>-<version>, where scripts/build-<name>.sh and our installer put it).
 * Undefined when none is there. Only the pinned version counts in the cache: an older nom may
 * have left other builds there.
 */
export function findBinary(name: keyof typeof PINNED, env: Env, cache: string): string | undefined {
  const explicit = env[`NOM_${name.toUpperCase()}_BIN`];
  if (explicit) {
    if (!executable(explicit)) throw new Error(`NOM_${name.toUpperCase()}_BIN is ${JSON.stringify(explicit)}, which is not an executable file`);
    return explicit;
  }
  if (name === 'caddy') {
    // Only a Caddy built with nom's module will do (scripts/build-caddy.sh links the last build as bin/caddy).
    return [onPath('caddy', env), join(cache, 'bin', 'caddy')].find((c) => c && executable(c) && hasNomModule(c));
  }
  const cached = join(cache, 'bin', `${name}-${PINNED[name]}`);
  return onPath(name, env) ?? (executable(cached) ? cached : undefined);
}

/**
 * Whether a caddy was built with nom's module (caddy/ in nom's package): scripts/build-caddy.sh
 * stamps its version "v2.11.9 nom-<hash of the module>". No release of Caddy carries it.
 */
export function hasNomModule(binary: string): boolean {
  try {
    const line = execFileSync(binary, ['version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0] ?? '';
    return /^v\S+ nom-[0-9a-f]{12}( |$)/.test(line);
  } catch {
    return false;
  }
}

/** What `<nomad> version` says on its first line ("Nomad v1.6.3"); undefined when it does not run. */
export function nomadVersionOf(binary: string): string | undefined {
  try {
    return execFileSync(binary, ['version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0]?.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Where the official releases come from; the NOM_*_RELEASES_URL variables point elsewhere (a mirror). */
export function releaseSites(env: Env): { nomad: string; node: string } {
  return {
    nomad: env.NOM_RELEASES_URL || 'https://releases.hashicorp.com',
    node: env.NOM_NODE_RELEASES_URL || 'https://nodejs.org/dist',
  };
}

export interface ReleaseSource {
  /** Base of the release site (releaseSites). */
  readonly baseUrl: string;
  readonly version: string;
  readonly arch: string;
}

/**
 * Downloads a HashiCorp product's official release zip (Nomad, Consul) and its SHA256SUMS,
 * checks the checksum, and installs the binary into the cache as <product>-<version> (with
 * `<product>` linking to it); returns its path.
 */
export async function installHashicorpRelease(product: 'nomad' | 'consul', src: ReleaseSource, cache: string): Promise<string> {
  const file = `${product}_${src.version}_linux_${src.arch}.zip`;
  const base = `${src.baseUrl.replace(/\/$/, '')}/${product}/${src.version}`;
  const [zip, sums] = await Promise.all([download(`${base}/${file}`), download(`${base}/${product}_${src.version}_SHA256SUMS`)]);
  const expected = listedChecksum(sums, file, `${base}/${product}_${src.version}_SHA256SUMS`);
  const actual = createHash('sha256').update(zip).digest('hex');
  if (actual !== expected) throw new Error(`checksum mismatch for ${file}: expected ${expected}, got ${actual}; not installed`);

  return cacheBinary(cache, product, src.version, unzipEntry(zip, product), true);
}

/** Puts a verified binary into the cache as <name>-<version> (and <name>, a link, when asked). */
function cacheBinary(cache: string, name: string, version: string, content: Buffer, link: boolean): string {
  const bin = join(cache, 'bin');
  mkdirSync(bin, { recursive: true });
  const target = join(bin, `${name}-${version}`);
  writeFileSync(`${target}.tmp`, content, { mode: 0o755 });
  renameSync(`${target}.tmp`, target);
  if (link) {
    rmSync(join(bin, name), { force: true });
    symlinkSync(`${name}-${version}`, join(bin, name));
  }
  return target;
}

/** The checksum a checksums file (`<hex>  <file>` lines) lists for `file`. */
function listedChecksum(sums: Buffer, file: string, where: string): string {
  const expected = sums.toString('utf8').split('\n').map((l) => l.trim().split(/\s+/)).find(([, f]) => f === file)?.[0];
  if (!expected) throw new Error(`${where} lists no checksum for ${file}`);
  return expected;
}

/**
 * Node's official Linux release (nodejs.org), its SHA-256 checked against SHASUMS256.txt,
 * cached as node-linux-<arch>-<version>: the router's runtime on cluster nodes that have none.
 */
export async function nodeRelease(src: ReleaseSource, cache: string): Promise<string> {
  const arch = src.arch === 'amd64' ? 'x64' : src.arch;
  const dir = `node-v${src.version}-linux-${arch}`;
  const base = `${src.baseUrl.replace(/\/$/, '')}/v${src.version}`;
  const [tgz, sums] = await Promise.all([download(`${base}/${dir}.tar.gz`), download(`${base}/SHASUMS256.txt`)]);
  const actual = createHash('sha256').update(tgz).digest('hex');
  if (actual !== listedChecksum(sums, `${dir}.tar.gz`, `${base}/SHASUMS256.txt`)) throw new Error(`checksum mismatch for ${dir}.tar.gz; not installed`);
  return cacheBinary(cache, `node-linux-${src.arch}`, src.version, untarEntry(tgz, `${dir}/bin/node`), false);
}

async function download(url: string): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`cannot download ${url}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
  }
  if (!res.ok) throw new Error(`cannot download ${url}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

export function releaseArch(): string {
  return ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch;
}
