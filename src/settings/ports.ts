import { ValueProblem } from '../errors.js';
import { parseHclLiteral } from './hcl-literal.js';

/**
 * One entry of NOMAD_VAR_PORTS. The number tells what kind of port it is:
 * - `http`: the one entry named "http"; the main service and its hostnames route here;
 * - `https`: another port, served at its own HTTPS hostname;
 * - `tcp`: a key below -1, a raw TCP port (its absolute value) with no hostname.
 * `containerPort` -1 asks Nomad for a dynamic port (the app reads NOMAD_PORT_<label>).
 */
export interface PortSpec {
  readonly label: string;
  readonly containerPort: number;
  readonly kind: 'http' | 'https' | 'tcp';
}

export const DYNAMIC_PORT = -1;
const LABEL = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
const EXAMPLE = '{ 5000 = "http", 8080 = "admin", -7777 = "irc" }';

export function parsePorts(text: string): PortSpec[] {
  const map = parseHclLiteral(text);
  if (map === null || typeof map !== 'object' || Array.isArray(map)) {
    throw new ValueProblem(`expected a map of port number to name, like ${EXAMPLE}`);
  }
  const ports: PortSpec[] = [];
  for (const [key, name] of Object.entries(map)) {
    const num = Number(key);
    if (!Number.isInteger(num) || num === 0 || num < -65535 || num > 65535) {
      throw new ValueProblem(`port ${JSON.stringify(key)} is not a port number: use 1-65535, -1 for a dynamic port, or below -1 for raw TCP`);
    }
    if (typeof name !== 'string' || !LABEL.test(name)) {
      throw new ValueProblem(`the name of port ${key} must be a word of letters, digits, - or _, like "admin"`);
    }
    if (ports.some((p) => p.label === name)) {
      throw new ValueProblem(`port name ${JSON.stringify(name)} is used twice: each name must be unique`);
    }
    const kind = name === 'http' ? 'http' : num < DYNAMIC_PORT ? 'tcp' : 'https';
    if (kind === 'http' && num < DYNAMIC_PORT) {
      throw new ValueProblem(`the "http" port cannot be raw TCP (${key}): use its positive number or -1`);
    }
    ports.push({ label: name, containerPort: num < DYNAMIC_PORT ? -num : num, kind });
  }
  if (!ports.some((p) => p.kind === 'http')) {
    throw new ValueProblem(`no port is named "http": exactly one entry must be, like ${EXAMPLE}`);
  }
  // http first, then the others in a stable order, so that re-renders do not reorder the job.
  return [...ports.filter((p) => p.kind === 'http'), ...ports.filter((p) => p.kind !== 'http')];
}
