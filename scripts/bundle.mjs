// Bundles the CLI into one file so `nom` starts fast (no module resolution at run time).
import { build } from 'esbuild';
import { copyFileSync, readFileSync } from 'node:fs';

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

// The console's page: one small script, its style and its HTML, served by Caddy from dist/console
// (no CDN, nothing fetched at run time).
await build({
  entryPoints: ['src/console/page/app.tsx'],
  outfile: 'dist/console/app.js',
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  minify: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: 'src/console/page/tsconfig.json',
  legalComments: 'none',
  logLevel: 'warning',
});
for (const file of ['index.html', 'style.css']) copyFileSync(`src/console/page/${file}`, `dist/console/${file}`);
