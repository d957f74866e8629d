// Writes what is made from the settings' declarations (npm run docs): docs/settings.md's settings
// table, and the NOMAD_VAR_* inputs of the GitHub workflow and action. The unit tests fail
// while a file differs from what this would write.
import { readFileSync, writeFileSync } from 'node:fs';
import { withSettingsTable } from '../src/settings/settings-table.js';
import { generatedFiles } from '../src/settings/workflow-inputs.js';

const root = new URL('../', import.meta.url);
const rewrite = (path: string, make: (text: string) => string) => writeFileSync(new URL(path, root), make(readFileSync(new URL(path, root), 'utf8')));
rewrite('docs/settings.md', withSettingsTable);
for (const [path, make] of Object.entries(generatedFiles)) rewrite(path, make);
