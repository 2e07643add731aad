// The package as a user gets it: `npm pack` of this checkout (dist/ is built by the global setup),
// installed into a fresh project with npm, then used the two ways the README shows: `npx s7rt demo`
// and `import { createRuntime, loadModel } from 's7rt'` on a zoo model shipped inside the package.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
let dir: string;
let app: string;
let packed: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 's7rt-package-'));
  // prepack would rebuild dist/; the global setup has just built it
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, maxBuffer: 16 << 20 });
  const [info] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packed = info!.files.map((f) => f.path);
  app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  // dependencies come from npm's cache when `npm ci` has filled it (the registry otherwise)
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, info!.filename)], {
    cwd: app,
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
    maxBuffer: 16 << 20,
  });
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('ships the builds, the zoo models and the demo recordings, and nothing of the repository besides', () => {
    for (const f of [
      'bin/s7rt.js',
      'dist/node/index.js',
      'dist/node/cli.js',
      'dist/node/worker.js',
      'dist/browser/index.js',
      'dist/browser/worker.js',
      'dist/browser/ort-wasm-simd-threaded.jsep.wasm',
      'dist/dashboard/index.html',
      'dist/types/src/index.d.ts',
      'models/zoo/sensor-activity/manifest.json',
      'models/zoo/sensor-activity/step.onnx',
      'models/zoo/dvs-gesture-sim/chunk.onnx',
      'devices/sensors/recordings.json',
    ]) {
      expect(packed, f).toContain(f);
    }
    // sources, tests, benchmarks and the Python training checkpoints stay in the repository
    expect(packed.filter((f) => /^(src|test|bench|models\/s7|models\/zoo\/checkpoints|dist\/bench)\//.test(f))).toEqual([]);
  });

  it('npx s7rt demo runs from the installed package', async () => {
    const { stdout, stderr } = await run('npx', ['--no-install', 's7rt', 'demo', '--duration', '4', '--devices', '2', '--status-interval', '2'], { cwd: app, timeout: 120_000 });
    const out = stdout + stderr;
    expect(out).toMatch(/s7rt: (native|wasm) backend/);
    expect(out).toContain('demo: open the dashboard at http://');
    const final = out.match(/demo: published (\d+) samples, (\d+) predictions/);
    expect(final, out).not.toBeNull();
    expect(Number(final![2])).toBeGreaterThan(100);
    expect(Number(final![2])).toBe(Number(final![1]));
  }, 180_000);

  it('npx s7rt classify runs the shipped gesture model on a simulated camera', async () => {
    const { stdout } = await run('npx', ['--no-install', 's7rt', 'classify', '--live', 'sim', '--seconds', '2', '--speed', '4', '--json', '--quiet'], { cwd: app, timeout: 120_000 });
    const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as { label: string; events: number; tokens: number };
    expect(r.events).toBeGreaterThan(1000);
    expect(r.tokens).toBeGreaterThan(0);
    expect(typeof r.label).toBe('string');
  }, 120_000);

  it('imports as `s7rt` and runs a zoo model shipped inside it (golden vectors checked at load)', async () => {
    writeFileSync(
      join(app, 'use.mjs'),
      `import { createRuntime, loadModel } from 's7rt';
import { fileURLToPath } from 'node:url';
const model = await loadModel(fileURLToPath(new URL('./node_modules/s7rt/models/zoo/sensor-activity', import.meta.url)));
const rt = await createRuntime(model);
const p = await rt.stream('d1').step({ values: [0.01, -0.98, 0.05, 1.2, -0.4, 0.3] });
console.log(JSON.stringify({ backend: (await rt.stats()).backend, label: p.label, labels: model.manifest.output.labels, sum: p.output.reduce((a, b) => a + b, 0) }));
await rt.close();
`,
    );
    const { stdout } = await run(process.execPath, ['use.mjs'], { cwd: app, timeout: 60_000 });
    const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as { backend: string; label: string; labels: string[]; sum: number };
    expect(['native', 'wasm']).toContain(r.backend);
    expect(r.labels).toContain(r.label);
    expect(r.sum).toBeCloseTo(1, 5);
  }, 120_000);
});
