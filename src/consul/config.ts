import { InputError, quote } from '../errors.js';

/** How to reach Consul: the standard CONSUL_* variables the consul CLI reads. */
export interface ConsulConfig {
  readonly address: string;
  readonly token: string | undefined;
  readonly caCert: string | undefined;
  readonly clientCert: string | undefined;
  readonly clientKey: string | undefined;
}

/**
 * Consul's address and token from CONSUL_HTTP_ADDR (with or without a scheme, as the consul CLI
 * takes it; CONSUL_HTTP_SSL=true means https), CONSUL_HTTP_TOKEN and the TLS files. Undefined
 * when CONSUL_HTTP_ADDR is unset: Consul is optional everywhere in nom.
 */
export function consulConfig(env: Readonly<Record<string, string | undefined>>): ConsulConfig | undefined {
  const get = (key: string) => env[key]?.trim() || undefined;
  const given = get('CONSUL_HTTP_ADDR');
  if (!given) return undefined;
  const ssl = ['1', 'true'].includes(get('CONSUL_HTTP_SSL')?.toLowerCase() ?? '');
  const address = (/^https?:\/\//.test(given) ? given : `${ssl ? 'https' : 'http'}://${given}`).replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw InputError.of(`CONSUL_HTTP_ADDR ${quote(given)} is not an address: write it like 127.0.0.1:8500 or https://consul.example.com:8501`);
  }
  if (url.username || url.password) throw InputError.of('CONSUL_HTTP_ADDR carries credentials, which would be printed and sent along: give the token in CONSUL_HTTP_TOKEN');
  return { address, token: get('CONSUL_HTTP_TOKEN'), caCert: get('CONSUL_CACERT'), clientCert: get('CONSUL_CLIENT_CERT'), clientKey: get('CONSUL_CLIENT_KEY') };
}

/** A Consul on plain HTTP at `address` (loopback), with `token`. */
export function consulAt(address: string, token?: string): ConsulConfig {
  return { address, token, caCert: undefined, clientCert: undefined, clientKey: undefined };
}
