// Bundles the CLI into one file so `nom` starts fast (no module resolution at run time).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/nom.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  define: { NOM_VERSION: JSON.stringify(version) },
  // CommonJS dependencies call require(); give the ES module one.
  banner: { js: "import { createRequire as __nomRequire } from 'node:module'; const require = __nomRequire(import.meta.url);" },
  logLevel: 'warning',
});
