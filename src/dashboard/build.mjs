#!/usr/bin/env node
// Builds the dashboard into dist/dashboard/: the embeddable component (s7-dashboard.js), the
// page's script (page.js, which includes the component: each file stands alone) and index.html.
// The runtime is NOT bundled here: the page loads the runtime's own browser build (dist/browser/,
// from scripts/build.mjs) at /runtime/. Run directly, or call buildDashboard().
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export async function buildDashboard({ outdir = resolve(here, '../../dist/dashboard'), minify = false } = {}) {
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: { 's7-dashboard': join(here, 'index.ts'), page: join(here, 'page/main.ts') },
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    minify,
    loader: { '.css': 'text' },
    logLevel: 'warning',
  });
  copyFileSync(join(here, 'page/index.html'), join(outdir, 'index.html'));
  return outdir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildDashboard({ minify: process.argv.includes('--minify') });
  console.log(`dashboard built into ${out}`);
}
