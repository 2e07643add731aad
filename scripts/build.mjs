// Builds dist/node (ESM for Node, dependencies left external), dist/browser (self-contained ESM
// bundles plus the onnxruntime-web wasm they load at run time) and dist/types (declarations of the
// public entries). Entry points live in ENTRIES so that other areas add theirs with one line;
// missing sources are skipped with a note.
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** source -> output name (without .js), per platform. */
export const ENTRIES = {
  node: {
    'src/index.ts': 'index',
    'src/rx/index.ts': 'rx',
    'worker/worker.ts': 'worker',
    'worker/host.ts': 'host',
    'devices/index.ts': 'devices',
    'src/cli/main.ts': 'cli',
  },
  browser: {
    'src/index.ts': 'index',
    'src/rx/index.ts': 'rx',
    'worker/worker.ts': 'worker',
    'devices/events/browser.ts': 'devices',
  },
};

// The wasm build that the browser bundle of onnxruntime-web (wasm + WebGPU via JSEP) fetches,
// resolved next to the bundle through import.meta.url.
const ORT_BROWSER_FILES = ['ort-wasm-simd-threaded.jsep.wasm', 'ort-wasm-simd-threaded.jsep.mjs'];

function entryPoints(map) {
  const out = {};
  for (const [src, name] of Object.entries(map)) {
    if (existsSync(join(root, src))) out[name] = join(root, src);
    else console.log(`build: skipping ${src} (not there yet)`);
  }
  return out;
}

const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
};

rmSync(join(root, 'dist/node'), { recursive: true, force: true });
rmSync(join(root, 'dist/browser'), { recursive: true, force: true });

// Type declarations of the public entry points (tsconfig.types.json), in parallel with esbuild;
// written aside and swapped in, so that a type check running meanwhile never finds them half gone.
const typesNext = join(root, 'dist/types.next');
rmSync(typesNext, { recursive: true, force: true });
const types = new Promise((done) => {
  const tsc = [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.types.json'), '--outDir', typesNext];
  execFile(process.execPath, tsc, { cwd: root }, (e, stdout, stderr) => {
    rmSync(join(root, 'dist/types'), { recursive: true, force: true });
    if (e) return done(`dist/types: ${(stdout + stderr).trim() || e.message}`);
    renameSync(typesNext, join(root, 'dist/types'));
    done(undefined);
  });
});

// Each entry is built on its own so that one area's broken entry does not hide the others'
// output; the build still fails (exit 1) if any entry failed.
const platforms = {
  node: { outdir: join(root, 'dist/node'), platform: 'node', packages: 'external' },
  // Node-only branches (node:*, the native ONNX Runtime) are reached through dynamic import() and
  // never run in a browser.
  browser: { outdir: join(root, 'dist/browser'), platform: 'browser', external: ['node:*', 'onnxruntime-node'] },
};
const jobs = [];
for (const [target, options] of Object.entries(platforms)) {
  for (const [name, entry] of Object.entries(entryPoints(ENTRIES[target]))) {
    jobs.push(
      build({ ...common, ...options, entryPoints: { [name]: entry }, logLevel: 'silent' }).then(
        () => undefined,
        (e) => `${target}/${name}.js: ${e.message}`,
      ),
    );
  }
}
const failures = (await Promise.all([...jobs, types])).filter(Boolean);

mkdirSync(join(root, 'dist/browser'), { recursive: true });
for (const f of ORT_BROWSER_FILES) {
  copyFileSync(join(root, 'node_modules/onnxruntime-web/dist', f), join(root, 'dist/browser', f));
}
// The dashboard page bundles (dist/dashboard) load the runtime build above at run time.
try {
  await (await import('../src/dashboard/build.mjs')).buildDashboard();
} catch (e) {
  failures.push(`dashboard: ${e.message}`);
}
if (failures.length > 0) {
  for (const f of failures) console.error(`build: FAILED ${f}`);
  process.exit(1);
}
console.log('build: dist/node, dist/browser, dist/types and dist/dashboard written');
