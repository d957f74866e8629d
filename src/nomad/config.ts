import { InputError, quote } from '../errors.js';
import { hasCredentials, withoutCredentials } from '../secret.js';

/**
 * How to reach Nomad: the standard NOMAD_* variables, and `~/.config/nomad` (lines of
 * `export NOMAD_ADDR=…`) for the ones the environment leaves unset.
 */
export interface NomadConfig {
  readonly address: string;
  readonly token: string | undefined;
  readonly namespace: string | undefined;
  readonly region: string | undefined;
  readonly caCert: string | undefined;
  readonly clientCert: string | undefined;
  readonly clientKey: string | undefined;
  readonly skipVerify: boolean;
}

const KEYS = ['NOMAD_ADDR', 'NOMAD_TOKEN', 'NOMAD_NAMESPACE', 'NOMAD_REGION', 'NOMAD_CACERT', 'NOMAD_CLIENT_CERT', 'NOMAD_CLIENT_KEY', 'NOMAD_SKIP_VERIFY'] as const;

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Reads `export KEY=value` lines (quotes optional), as the existing system's config file has them. */
export function parseExportLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2]!.trim();
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    out[m[1]!] = value;
  }
  return out;
}

/**
 * The environment with the NOMAD_* values of a `~/.config/nomad` text filling in what it leaves
 * unset or blank: the one place the file and the environment are merged.
 */
export function withConfigFile(env: Readonly<Record<string, string | undefined>>, configFileText: string): Record<string, string | undefined> {
  const merged: Record<string, string | undefined> = Object.fromEntries(Object.entries(parseExportLines(configFileText)).filter(([k]) => k.startsWith('NOMAD_')));
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v.trim() !== '') merged[k] = v;
  return merged;
}

/** How to reach Nomad, from the NOMAD_* variables (the local agent when NOMAD_ADDR is unset). */
export function nomadConfig(env: Readonly<Record<string, string | undefined>>): NomadConfig {
  const get = (key: (typeof KEYS)[number]) => env[key]?.trim() || undefined;
  const address = (get('NOMAD_ADDR') ?? 'http://127.0.0.1:4646').replace(/\/+$/, '');
  if (hasCredentials(address)) {
    throw InputError.of(`NOMAD_ADDR ${quote(withoutCredentials(address))} carries credentials, which would be printed and sent along: give the token in NOMAD_TOKEN`);
  }
  if (!isHttpUrl(address)) {
    throw InputError.of(`NOMAD_ADDR ${quote(address)} is not an http:// or https:// address: write it like https://nomad.example.com:4646`);
  }
  return {
    address,
    token: get('NOMAD_TOKEN'),
    namespace: get('NOMAD_NAMESPACE'),
    region: get('NOMAD_REGION'),
    caCert: get('NOMAD_CACERT'),
    clientCert: get('NOMAD_CLIENT_CERT'),
    clientKey: get('NOMAD_CLIENT_KEY'),
    skipVerify: ['1', 'true'].includes(get('NOMAD_SKIP_VERIFY')?.toLowerCase() ?? ''),
  };
}
