// Writes the settings table into README.md (npm run docs); the unit tests fail while they differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { withSettingsTable } from '../src/settings/settings-table.js';

const path = new URL('../README.md', import.meta.url);
writeFileSync(path, withSettingsTable(readFileSync(path, 'utf8')));
