/**
 * Data flows one way (docs/architecture.md): a module imports only from its own folder or from
 * a lower layer, so the pure core never reaches up to an adapter or the CLI; and only the CLI
 * reads the process's environment, so everything below it is given what it needs.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Lower numbers are imported by higher ones, never the other way. One number may hold several folders. */
const LAYER: Record<string, number> = {
  '.': 0, // domain.ts, errors.ts, secret.ts
  settings: 1,
  context: 2, // what CI (or the checkout) says, with CI's slug rules
  naming: 3, // what nom makes of it: job, namespace, hostnames, token variable
  jobspec: 4,
  nomad: 5,
  consul: 5, // Consul's API, beside Nomad's
  render: 6,
  local: 6,
  router: 6,
  operate: 7,
  console: 7, // the console's page: operate's pure views, in a browser
  deploy: 8,
  cluster: 9,
  cli: 10,
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** The top folder of a path under src/ ('.' for the files at its root). */
const folderOf = (path: string) => {
  const parts = relative(SRC, path).split('/');
  return parts.length > 1 ? parts[0]! : '.';
};

describe('layers', () => {
  it('every folder of src/ has a layer', () => {
    const folders = new Set(sources(SRC).map(folderOf));
    for (const f of folders) assert.ok(f in LAYER, `src/${f}/ has no layer in this test: give it one`);
  });

  it('no module imports from a layer above its own', () => {
    const wrong: string[] = [];
    for (const file of sources(SRC)) {
      const from = folderOf(file);
      for (const m of readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^'"]*from '(\.[^']+)'/gm)) {
        const to = folderOf(join(file, '..', m[1]!));
        if (LAYER[to]! > LAYER[from]!) wrong.push(`src/${relative(SRC, file)} imports ${m[1]} (${to} is above ${from})`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('only the CLI reads process.env', () => {
    const readers = sources(SRC)
      .filter((file) => folderOf(file) !== 'cli' && /\bprocess\.env\b/.test(readFileSync(file, 'utf8')))
      .map((file) => `src/${relative(SRC, file)}`);
    assert.deepEqual(readers, [], 'pass the environment (or the values read from it) down from src/cli/');
  });
});
