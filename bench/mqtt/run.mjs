// Bundles bench/mqtt/e2e.ts with esbuild (dependencies stay external) and runs it.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const out = join(root, 'dist/bench/mqtt-e2e.js');
await build({ entryPoints: [join(root, 'bench/mqtt/e2e.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: out, logLevel: 'warning' });
const r = spawnSync(process.execPath, [out, '--root', root, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
