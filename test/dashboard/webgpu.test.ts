// WebGPU in the page: Chromium exposes a software adapter (SwiftShader) with --enable-unsafe-webgpu.
// Where an adapter exists, the runtime must run on WebGPU and match WASM on the golden vectors;
// where none exists, the runtime must say it fell back to WASM, and the test reports that.
// The software adapter takes about 0.5 s per step, so the WebGPU page starts without the load-time
// golden check and is compared on the first `gpuSteps` steps of every golden stream (the WASM page
// runs the whole golden set, with the load-time check).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPage } from './browser';
import { type Harness, startHarness } from './harness';
import { type InPageGolden, runGoldenInPage, waitRuntime } from './in-page';

let h: Harness;
let wasm: TestPage;
let gpu: TestPage;
let adapter: string | null;
const gpuSteps = 8;

beforeAll(async () => {
  h = await startHarness(['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader']);
  wasm = await h.open('?mode=browser&backend=wasm');
  gpu = await h.open('?mode=browser&backend=webgpu&golden=skip');
  adapter = await gpu.page.evaluate(async () => {
    const a = await (navigator as any).gpu?.requestAdapter();
    return a ? `${a.info?.vendor ?? '?'} ${a.info?.architecture ?? '?'}` : null;
  });
  // a software adapter compiles every kernel on the CPU: slow to start on a busy machine
  await Promise.all([waitRuntime(wasm.page, 200_000), waitRuntime(gpu.page, 200_000)]);
}, 240_000);

afterAll(() => h?.close());

describe('WebGPU backend in the page', () => {
  it('matches WASM on the golden vectors where an adapter exists, else reports the fallback', async () => {
    const [w, wFull, g]: InPageGolden[] = [
      await runGoldenInPage(wasm.page, 'wasm', gpuSteps),
      await runGoldenInPage(wasm.page, 'wasm-all'),
      await runGoldenInPage(gpu.page, 'webgpu', gpuSteps),
    ];
    expect(w.backend).toBe('wasm');
    expect(wFull.worstExcess).toBeLessThanOrEqual(0);
    expect(g.outputs).toHaveLength(w.outputs.length);
    if (adapter) {
      console.log(`WebGPU adapter: ${adapter}; max |webgpu - golden| = ${g.maxAbsError.toExponential(2)}`);
      expect(g.backend).toBe('webgpu');
      expect(g.fallbackReason).toBeUndefined();
      expect(g.worstExcess).toBeLessThanOrEqual(0);
      const diff = Math.max(...g.outputs.map((v, i) => Math.abs(v - w.outputs[i])));
      expect(diff).toBeLessThanOrEqual(1e-4);
    } else {
      console.log(`WebGPU: no adapter in this browser; runtime fell back: ${g.fallbackReason}`);
      expect(g.backend).toBe('wasm');
      expect(g.fallbackReason).toMatch(/\S/);
      expect(g.outputs).toEqual(w.outputs);
    }
  }, 180_000);

  it('logged no console errors, page errors or failed requests', () => {
    expect(wasm.errors).toEqual([]);
    expect(gpu.errors).toEqual([]);
    // onnxruntime logs node placement at warning level through console.error; shown, not hidden
    if (gpu.ortWarnings.length) console.log(`onnxruntime warnings on the WebGPU page:\n${gpu.ortWarnings.join('\n')}`);
  });
});
