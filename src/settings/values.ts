import { ValueProblem } from '../errors.js';
import { parseHclLiteral, type Literal } from './hcl-literal.js';

/** Small parsers for NOMAD_VAR_* values. Each throws a ValueProblem saying what is allowed. */

/** A whole number from `min` to `max`: Nomad takes larger ones and overflows (1e+21 MB). */
export function wholeNumber(unit: string, min: number, max: number, example: string) {
  return (text: string): number => {
    if (!/^[0-9]+$/.test(text.trim()) || Number(text) < min || Number(text) > max) {
      throw new ValueProblem(`expected a whole number${unit ? ` of ${unit}` : ''} from ${min} to ${max}, like ${example}`);
    }
    return Number(text);
  };
}

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

export function boolean(text: string): boolean {
  const word = text.trim().toLowerCase();
  if (TRUE.includes(word)) return true;
  if (FALSE.includes(word)) return false;
  throw new ValueProblem('expected true or false');
}

export function oneOf<const T extends string>(...allowed: T[]) {
  return (text: string): T => {
    const found = allowed.find((a) => a === text.trim().toLowerCase());
    if (!found) throw new ValueProblem(`expected one of: ${allowed.join(', ')}`);
    return found;
  };
}

export function absolutePath(text: string): string {
  if (!text.startsWith('/') || /\s|:/.test(text)) {
    throw new ValueProblem('expected an absolute path without spaces or colons, like /pv');
  }
  return text;
}

export function urlPath(text: string): string {
  if (!/^\/[^\s]*$/.test(text)) throw new ValueProblem('expected a path that starts with /, like /healthcheck');
  return text;
}

/** A namespace or similar Nomad name. */
export function nomadName(text: string): string {
  if (!/^[a-zA-Z0-9-]{1,128}$/.test(text)) throw new ValueProblem('expected a name of letters, digits and -, like default');
  return text;
}

function list(text: string, example: string): Literal[] {
  const value = parseHclLiteral(text);
  if (!Array.isArray(value)) throw new ValueProblem(`expected a list, like ${example}`);
  return value;
}

export function stringList(example: string) {
  return (text: string): string[] =>
    list(text, example).map((item) => {
      if (typeof item !== 'string') throw new ValueProblem(`expected a list of strings, like ${example}`);
      return item;
    });
}

/** `host path:container path[:ro|rw]`, the docker driver's `volumes` entries. */
export function volumeList(text: string): string[] {
  const example = '["/usr/games:/usr/games:ro"]';
  return stringList(example)(text).map((entry) => {
    const parts = entry.split(':');
    const [source, target, mode] = parts;
    if (parts.length < 2 || parts.length > 3 || !source || !target?.startsWith('/') || (mode !== undefined && !['ro', 'rw'].includes(mode))) {
      throw new ValueProblem(`volume ${JSON.stringify(entry)} is not host:container[:ro|rw] with an absolute container path, like ${example}`);
    }
    return entry;
  });
}

export interface BindMount {
  readonly source: string;
  readonly target: string;
  readonly readonly: boolean;
}

/** The seed's list of docker mount maps: `[{type = "bind", readonly = true, source = "/a", target = "/a"}]`. */
export function bindMountList(text: string): BindMount[] {
  const example = '[{ type = "bind", readonly = true, source = "/usr/games", target = "/usr/games" }]';
  return list(text, example).map((item) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new ValueProblem(`expected a list of maps, like ${example}`);
    }
    const { type = 'bind', source, target, readonly = false } = item;
    const ro = typeof readonly === 'string' ? boolean(readonly) : readonly;
    if (type !== 'bind' || typeof source !== 'string' || !source.startsWith('/') || typeof target !== 'string' || !target.startsWith('/') || typeof ro !== 'boolean') {
      throw new ValueProblem(`each mount needs type = "bind", absolute source and target paths and an optional readonly = true, like ${example}`);
    }
    return { source, target, readonly: ro };
  });
}
