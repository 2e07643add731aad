#!/usr/bin/env node
// Builds the dashboard into dist/dashboard/: the embeddable component (s7-dashboard.js), the
// page's script (page.js, which includes the component), the stream view's feed worker
// (feed-worker.js: mqtt.js, parsing, device state; both scripts load it from beside themselves)
// and index.html.
// The runtime is NOT bundled here: the page loads the runtime's own browser build (dist/browser/,
// from scripts/build.mjs) at /runtime/. Run directly, or call buildDashboard().
import { build } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// Each file is written beside its target and renamed over it: test files that build in parallel
// (and a page loading meanwhile) never see a half-written file.
function writeAtomic(path, bytes) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

export async function buildDashboard({ outdir = resolve(here, '../../dist/dashboard'), minify = false } = {}) {
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: { 's7-dashboard': join(here, 'index.ts'), page: join(here, 'page/main.ts'), 'feed-worker': join(here, 'feed/worker.ts') },
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    minify,
    loader: { '.css': 'text' },
    logLevel: 'warning',
    write: false,
  });
  for (const file of result.outputFiles) writeAtomic(file.path, file.contents);
  writeAtomic(join(outdir, 'index.html'), readFileSync(join(here, 'page/index.html')));
  return outdir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildDashboard({ minify: process.argv.includes('--minify') });
  console.log(`dashboard built into ${out}`);
}
