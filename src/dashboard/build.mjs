#!/usr/bin/env node
// Builds the dashboard into dist/dashboard/: the embeddable component (s7-dashboard.js), the
// page's script (page.js, which includes the component: each file stands alone) and index.html. The runtime is NOT bundled here: the page loads the
// runtime's own browser build (dist/browser/, from scripts/build.mjs) at /runtime/.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '../../dist/dashboard');
mkdirSync(out, { recursive: true });

await build({
  entryPoints: { 's7-dashboard': join(here, 'index.ts'), page: join(here, 'page/main.ts') },
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  minify: process.argv.includes('--minify'),
  loader: { '.css': 'text' },
  logLevel: 'warning',
});
copyFileSync(join(here, 'page/index.html'), join(out, 'index.html'));
console.log(`dashboard built into ${out}`);
