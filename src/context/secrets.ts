import { InputError } from '../errors.js';
import { Secret } from '../secret.js';
import type { Env } from '../settings/read-settings.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Kept in the same Nomad Variable as the secrets, for the docker driver's registry login. */
export const REGISTRY_PASSWORD_KEY = 'NOM_REGISTRY_PASSWORD';

/**
 * Collects secrets: `NOMAD_SECRET_<NAME>=value` (GitLab CI/CD variables) and `NOMAD_SECRETS`, one
 * JSON map (GitHub passes its secrets this way); a NOMAD_SECRET_ variable wins over the map.
 * Errors name the variable or key, never the value.
 */
export function readSecrets(env: Env): Map<string, Secret> {
  const secrets = new Map<string, Secret>();
  const problems: string[] = [];
  const add = (name: string, value: string, where: string) => {
    if (!NAME.test(name)) problems.push(`${where}: ${JSON.stringify(name)} is not a valid environment variable name (letters, digits and _, not starting with a digit)`);
    else if (name === REGISTRY_PASSWORD_KEY) problems.push(`${where}: the name ${REGISTRY_PASSWORD_KEY} is reserved for registry credentials`);
    else secrets.set(name, new Secret(value));
  };

  const json = env.NOMAD_SECRETS;
  if (json !== undefined && json.trim() !== '') {
    let map: unknown;
    try {
      map = JSON.parse(json);
    } catch {
      map = undefined;
    }
    if (map === null || typeof map !== 'object' || Array.isArray(map)) {
      problems.push('NOMAD_SECRETS is not a JSON object of NAME: "value" pairs (its value is not shown)');
    } else {
      for (const [name, value] of Object.entries(map)) {
        if (typeof value !== 'string') problems.push(`NOMAD_SECRETS: the value of ${JSON.stringify(name)} must be a string`);
        else add(name, value, `NOMAD_SECRETS key ${JSON.stringify(name)}`);
      }
    }
  }
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith('NOMAD_SECRET_') && value !== undefined) add(key.slice('NOMAD_SECRET_'.length), value, key);
  }
  if (problems.length) throw new InputError(problems);
  return new Map([...secrets].sort(([a], [b]) => a.localeCompare(b)));
}
