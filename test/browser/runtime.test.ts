// The browser build (dist/browser: ESM bundle + Web Worker bundle + onnxruntime-web wasm) in
// Debian's headless Chromium: the zoo packages are fetched by URL, checked (hashes, golden vectors
// on load, in the Web Worker) and their golden streams stepped through the public API, batched.
// WebGPU: with --enable-unsafe-webgpu Chromium may expose a software adapter; where it does, the
// runtime must use it and match WASM; where not, it must say it fell back, and the test reports it.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type BackendRequest, type LoadedModel } from '../../src/index.js';
import { expectClose, goldenSample, zooPackages } from '../runtime/zoo.js';

const root = resolve(import.meta.dirname, '../..');
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.onnx': 'application/octet-stream', '.map': 'application/json' };
// The page imports the browser bundle and exposes it; tests drive it through page.evaluate.
const PAGE = `<!doctype html><meta charset="utf-8"><title>s7rt browser test</title>
<script type="module">import * as s7 from '/dist/index.js'; window.s7 = s7;</script><body>s7rt</body>`;

let server: Server;
let base: string;
let browser: Browser;
const pageErrors: string[] = [];

function serve(): Promise<Server> {
  const mounts: Array<[string, string]> = [
    ['/dist/', join(root, 'dist/browser')],
    ['/zoo/', join(root, 'models/zoo')],
  ];
  const s = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    for (const [prefix, dir] of mounts) {
      if (!url.pathname.startsWith(prefix)) continue;
      const file = normalize(join(dir, decodeURIComponent(url.pathname.slice(prefix.length))));
      if (file.startsWith(dir) && existsSync(file) && statSync(file).isFile()) {
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        return void createReadStream(file).pipe(res);
      }
    }
    res.writeHead(404).end();
  });
  return new Promise((ok) => s.listen(0, '127.0.0.1', () => ok(s)));
}

interface InPage {
  backend: string;
  fallbackReason?: string;
  /** [stream][step][output] flattened like golden.output, for the first `steps` steps. */
  outputs: number[];
}

/** In the page: load the package by URL, start a runtime, step every golden stream together. */
async function runInPage(page: Page, model: LoadedModel, pkgUrl: string, backend: BackendRequest | undefined, steps: number, skipGoldenCheck: boolean): Promise<InPage> {
  const { golden: g, manifest: m } = model;
  // samples[b][t], built here with the same helper the Node golden tests use (dense, tokens, dt).
  const samples = Array.from({ length: g.batch }, (_, b) => Array.from({ length: steps }, (_, t) => goldenSample(g, m, b, t)));
  return page.evaluate(
    async ({ pkgUrl, backend, steps, skipGoldenCheck, samples }) => {
      const s7 = (window as unknown as { s7: any }).s7;
      const model = await s7.loadModel(pkgUrl);
      const rt = await s7.createRuntime(model, { backend, skipGoldenCheck });
      const streams = samples.map((_, b) => rt.stream(`b${b}`));
      const out: number[][][] = streams.map(() => []);
      for (let t = 0; t < steps; t++) {
        const ps = await Promise.all(
          streams.map((s: { step: (x: unknown) => Promise<{ output: Float32Array }> }, b: number) => s.step(samples[b]![t])),
        );
        ps.forEach((p, b) => out[b]!.push(Array.from(p.output)));
      }
      const stats = await rt.stats();
      await rt.close();
      return { backend: stats.backend, fallbackReason: stats.fallbackReason, outputs: out.flat(2) };
    },
    { pkgUrl, backend, steps, skipGoldenCheck, samples },
  );
}

function wantOutputs(model: LoadedModel, steps: number): number[] {
  const { golden: g, manifest: m } = model;
  const O = m.output.size;
  const want: number[] = [];
  for (let b = 0; b < g.batch; b++) want.push(...g.output.data.slice(b * g.steps * O, (b * g.steps + steps) * O));
  return want;
}

beforeAll(async () => {
  server = await serve();
  const addr = server.address() as { port: number };
  base = `http://127.0.0.1:${addr.port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--enable-features=Vulkan'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
});

async function newPage(): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('response', (r) => {
    if (r.status() >= 400) pageErrors.push(`HTTP ${r.status()} ${r.url()}`);
  });
  await page.goto(base);
  await page.waitForFunction(() => 's7' in window);
  return page;
}

for (const dir of zooPackages()) {
  const name = dir.split('/').pop()!;
  describe(`browser build with ${name}`, () => {
    it('loads by URL, passes the golden check in a Web Worker and reproduces every golden output', { timeout: 300_000 }, async () => {
      const model = await loadModel(dir);
      const page = await newPage();
      // the default backend ('auto') is wasm in a browser, without a fallback to report
      const got = await runInPage(page, model, `${base}/zoo/${name}`, undefined, model.golden.steps, false);
      expect({ backend: got.backend, fallbackReason: got.fallbackReason }).toEqual({ backend: 'wasm', fallbackReason: undefined });
      expectClose(got.outputs, wantOutputs(model, model.golden.steps), model.manifest, `${name} in Chromium`);
      // the native backend (onnxruntime-node) cannot load here: wasm, and the reason why
      const native = await runInPage(page, model, `${base}/zoo/${name}`, 'native', 2, true);
      expect(native.backend).toBe('wasm');
      expect(native.fallbackReason).toMatch(/native backend unavailable: .*Node/);
      await page.close();
      expect(pageErrors).toEqual([]);
    });

    it('WebGPU matches WASM where an adapter exists, else reports the fallback', { timeout: 300_000 }, async () => {
      const model = await loadModel(dir);
      // The software adapter is slow: compare the first steps of every golden stream.
      const steps = Math.min(6, model.golden.steps);
      const page = await newPage();
      const adapter = await page.evaluate(async () => {
        const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
        return gpu ? Boolean(await gpu.requestAdapter()) : false;
      });
      const wasm = await runInPage(page, model, `${base}/zoo/${name}`, 'wasm', steps, true);
      const gpu = await runInPage(page, model, `${base}/zoo/${name}`, 'webgpu', steps, true);
      if (adapter && gpu.backend === 'webgpu') {
        console.log(`${name}: WebGPU adapter present, max |webgpu - wasm| = ${Math.max(...gpu.outputs.map((v, i) => Math.abs(v - wasm.outputs[i]!))).toExponential(2)}`);
        expectClose(gpu.outputs, wantOutputs(model, steps), model.manifest, `${name} on WebGPU`);
        for (let i = 0; i < gpu.outputs.length; i++) expect(Math.abs(gpu.outputs[i]! - wasm.outputs[i]!)).toBeLessThanOrEqual(1e-4);
      } else {
        console.log(`${name}: WebGPU not used (adapter: ${adapter}); fell back: ${gpu.fallbackReason}`);
        expect(gpu.backend).toBe('wasm');
        expect(gpu.fallbackReason).toMatch(/\S/);
        expect(gpu.outputs).toEqual(wasm.outputs);
      }
      await page.close();
      expect(pageErrors).toEqual([]);
    });
  });
}
