import { asHostname } from '../domain.js';
import { InputError, ValueProblem, quote } from '../errors.js';
import { Secret, hasCredentials, withoutCredentials } from '../secret.js';
import type { Env } from '../settings/read-settings.js';
import type { ClusterInputs, RegistryAuth } from './deploy-context.js';

/** Reads variables that must be set, reporting every missing one at once. */
export function requireVariables<const K extends string>(env: Env, names: readonly K[], where: string): Record<K, string> {
  const missing = names.filter((n) => !env[n]?.trim());
  if (missing.length) {
    throw new InputError(missing.map((n) => `${n} is not set: ${where} sets it; to render elsewhere, set it yourself`));
  }
  return Object.fromEntries(names.map((n) => [n, env[n]!.trim()])) as Record<K, string>;
}

/** CI_REGISTRY_READ_TOKEN (a long-lived deploy token) is preferred: job tokens expire with the job. */
export function readRegistryAuth(env: Env): RegistryAuth | undefined {
  const token = env.CI_REGISTRY_READ_TOKEN;
  if (token && token !== '0') return { username: 'deploy-token', password: new Secret(token), from: 'CI_REGISTRY_READ_TOKEN' };
  if (env.CI_REGISTRY_USER && env.CI_REGISTRY_PASSWORD) {
    return { username: env.CI_REGISTRY_USER, password: new Secret(env.CI_REGISTRY_PASSWORD), from: 'CI_REGISTRY_PASSWORD' };
  }
  return undefined;
}

export function readClusterInputs(env: Env): ClusterInputs {
  const problems: string[] = [];
  const domainVar = env.BASE_DOMAIN?.trim() ? 'BASE_DOMAIN' : 'KUBE_INGRESS_BASE_DOMAIN';
  const domain = env[domainVar]?.trim() || undefined;
  let baseDomain;
  try {
    baseDomain = domain === undefined ? undefined : asHostname(domain);
  } catch (e) {
    problems.push(`${domainVar} is ${quote(domain!)}: ${(e as ValueProblem).message}`);
  }
  const nomadAddr = env.NOMAD_ADDR?.trim() || undefined;
  if (nomadAddr !== undefined && hasCredentials(nomadAddr)) {
    problems.push(`NOMAD_ADDR is ${quote(withoutCredentials(nomadAddr))}: it carries credentials, which would be printed and sent to every address it names; give the token in NOMAD_TOKEN`);
  } else if (nomadAddr !== undefined && !/^https?:\/\/[^\s/@]+(:\d+)?\/?$/.test(nomadAddr)) {
    problems.push(`NOMAD_ADDR is ${quote(nomadAddr)}: expected an http or https URL, like https://nomad.example.com:4646`);
  }
  if (problems.length) throw new InputError(problems);
  return {
    baseDomain,
    nomadAddr: nomadAddr?.replace(/\/$/, ''),
    hasProdToken: Boolean(env.NOMAD_TOKEN_PROD),
    hasStagingToken: Boolean(env.NOMAD_TOKEN_STAGING),
  };
}
