import { InputError, ValueProblem, quote } from '../errors.js';
import { DECLARATIONS, type SettingName, type Settings } from './declarations.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface SettingsReading {
  readonly settings: Settings;
  /** Which settings came from the environment (the rest are defaults). */
  readonly fromEnv: ReadonlySet<SettingName>;
  readonly warnings: readonly string[];
}

export const PREFIX = 'NOMAD_VAR_';

/**
 * Reads every NOMAD_VAR_* setting from the environment. Blank values count as unset (GitHub
 * passes unset inputs as empty strings). All bad values are reported together, one line each,
 * naming the variable, its value and what is allowed.
 */
export function readSettings(env: Env): SettingsReading {
  const settings: Record<string, unknown> = {};
  const fromEnv = new Set<SettingName>();
  const problems: string[] = [];
  const warnings: string[] = [];

  for (const [name, decl] of Object.entries(DECLARATIONS) as [SettingName, (typeof DECLARATIONS)[SettingName]][]) {
    const raw = env[PREFIX + name];
    if (raw === undefined || raw.trim() === '') {
      settings[name] = decl.default;
      continue;
    }
    try {
      settings[name] = decl.parse(raw.trim());
      fromEnv.add(name);
      if (decl.ignored) warnings.push(`${PREFIX}${name} is ignored: ${decl.ignored}`);
    } catch (e) {
      if (!(e instanceof ValueProblem)) throw e;
      problems.push(`${PREFIX}${name} is ${quote(raw)}: ${e.message}`);
    }
  }
  if (problems.length) throw new InputError(problems);

  for (const key of Object.keys(env)) {
    if (!key.startsWith(PREFIX)) continue;
    const name = key.slice(PREFIX.length);
    if (name in DECLARATIONS) continue;
    const near = (Object.keys(DECLARATIONS) as SettingName[]).find((known) => editDistance(name, known) <= 2);
    if (near) warnings.push(`${key} is not a setting of nom; did you mean ${PREFIX}${near}? (overlays may still use it)`);
  }
  return { settings: settings as Settings, fromEnv, warnings };
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
