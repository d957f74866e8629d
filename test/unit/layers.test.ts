/**
 * Data flows one way (README, Design notes): a module imports only from its own folder or from
 * a lower layer, so the pure core never reaches up to an adapter or the CLI.
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
  // context and naming share a layer: context/github.ts slugs with naming/slug.ts, and naming's
  // deploy target reads the context. Moving slug.ts down would separate them.
  context: 2,
  naming: 2,
  jobspec: 3,
  nomad: 4,
  render: 5,
  local: 5,
  router: 5,
  operate: 6,
  deploy: 7,
  cluster: 8,
  cli: 9,
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
});
