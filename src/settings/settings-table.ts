import { DECLARATIONS, type SettingName } from './declarations.js';
import { PREFIX } from './read-settings.js';

export const TABLE_BEGIN = '<!-- settings-table: generated from src/settings/declarations.ts by `npm run docs` -->';
export const TABLE_END = '<!-- /settings-table -->';

/** The settings reference of docs/settings.md, made from the declarations so the two cannot drift. */
export function settingsTable(): string {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const rows = (Object.keys(DECLARATIONS) as SettingName[]).map((name) => {
    const d = DECLARATIONS[name];
    const def = d.defaultText ?? (typeof d.default === 'string' ? d.default : JSON.stringify(d.default));
    return `| \`${PREFIX}${name}\` | ${cell(d.type)} | \`${cell(def)}\` | \`${cell(d.example)}\` | ${cell(d.description)} |`;
  });
  return ['| Variable | Type | Default | Example | What it does |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** Replaces the generated table between its markers in a Markdown text. */
export function withSettingsTable(readme: string): string {
  const start = readme.indexOf(TABLE_BEGIN);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`the document lacks the markers ${TABLE_BEGIN} … ${TABLE_END}`);
  return `${readme.slice(0, start + TABLE_BEGIN.length)}\n${settingsTable()}\n${readme.slice(end)}`;
}
