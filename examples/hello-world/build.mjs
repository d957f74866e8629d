// Bundles the server and ws into one file, so the image needs only `node` and dist/server.mjs.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/server.ts'],
  outfile: 'dist/server.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // ws is CommonJS and calls require() for Node's built-ins; give the ES module a real one.
  banner: { js: "import { createRequire as __helloRequire } from 'node:module'; const require = __helloRequire(import.meta.url);" },
  // ws's optional native speed-ups: it falls back to pure JS when they are missing.
  external: ['bufferutil', 'utf-8-validate'],
  legalComments: 'none',
  logLevel: 'warning',
});
