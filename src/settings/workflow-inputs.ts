import { DECLARATIONS, type SettingName } from './declarations.js';
import { PREFIX } from './read-settings.js';

/**
 * The GitHub workflow's and action's inputs for every NOMAD_VAR_* setting, and the step
 * environment that passes them on, made from the declarations (`npm run docs` writes them
 * between their markers; the unit tests fail while a file differs). Pure.
 */
export const INPUTS = { begin: '# settings-inputs: generated from src/settings/declarations.ts by `npm run docs`', end: '# /settings-inputs' };
export const ENV = { begin: '# settings-env: generated from src/settings/declarations.ts by `npm run docs`', end: '# /settings-env' };

// All of them, ignored ones too: a caller that passes an input the workflow lacks is an error.
const names = () => Object.keys(DECLARATIONS) as SettingName[];

/** `NOMAD_VAR_X:` input declarations; a workflow's carry `type: string`. Blank means unset. */
export function settingInputs(indent: string, form: 'workflow' | 'action'): string[] {
  return names().flatMap((name) => {
    const d = DECLARATIONS[name];
    const def = d.defaultText ?? (typeof d.default === 'string' ? d.default : JSON.stringify(d.default) ?? 'none');
    return [
      `${indent}${PREFIX}${name}:`,
      `${indent}  description: ${JSON.stringify(`${d.description} Default: ${def}; e.g. ${d.example}`)}`,
      ...(form === 'workflow' ? [`${indent}  type: string`] : []),
      `${indent}  required: false`,
      `${indent}  default: ''`,
    ];
  });
}

/** `NOMAD_VAR_X: ${{ inputs.NOMAD_VAR_X }}` lines for a step's `env:`. */
export function settingEnv(indent: string): string[] {
  return names().map((name) => `${indent}${PREFIX}${name}: \${{ inputs.${PREFIX}${name} }}`);
}

/**
 * Replaces what stands between each pair of markers with `make(indent)`, the indent being the
 * begin marker's own; every pair must be there.
 */
export function withGenerated(text: string, markers: { begin: string; end: string }, make: (indent: string) => string[]): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let found = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    out.push(line);
    if (line.trim() !== markers.begin) continue;
    const end = lines.findIndex((l, j) => j > i && l.trim() === markers.end);
    if (end < 0) throw new Error(`"${markers.begin}" has no "${markers.end}" after it`);
    out.push(...make(line.slice(0, line.indexOf('#'))), lines[end]!);
    i = end;
    found++;
  }
  if (!found) throw new Error(`the markers "${markers.begin}" … "${markers.end}" are missing`);
  return out.join('\n');
}

/** The files with generated inputs, and how each is made from its current text. */
export const generatedFiles: Record<string, (text: string) => string> = {
  '.github/workflows/cicd.yml': (text) => withGenerated(withGenerated(text, INPUTS, (i) => settingInputs(i, 'workflow')), ENV, settingEnv),
  'action.yml': (text) => withGenerated(withGenerated(text, INPUTS, (i) => settingInputs(i, 'action')), ENV, settingEnv),
};
