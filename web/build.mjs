// Bundles the player into dist/: app.js (TypeScript and Preact, minified) beside index.html
// and app.css, which crates/api/build.rs embeds in the medley binary.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

mkdirSync('dist', { recursive: true });
await build({
  entryPoints: ['src/main.tsx'],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outfile: 'dist/app.js',
  metafile: false,
  logLevel: 'warning',
});
for (const f of ['index.html', 'app.css']) copyFileSync(f, `dist/${f}`);
