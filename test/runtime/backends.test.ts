// Which ONNX Runtime build runs the model: 'auto' is the native one in Node, a request that cannot
// be met falls back to wasm and says why, and `workers: 0` runs on the calling thread.
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, loadModel, type Runtime } from '../../src/index.js';
import { zooPackages } from './zoo.js';

const dir = zooPackages().find((d) => d.endsWith('sensor-activity'))!;
let rt: Runtime | undefined;
afterEach(async () => {
  await rt?.close();
  rt = undefined;
});

describe('backends', () => {
  it("'auto' (the default) is native (onnxruntime-node) in Node", async () => {
    rt = await createRuntime(await loadModel(dir));
    const stats = await rt.stats();
    expect({ backend: stats.backend, fallbackReason: stats.fallbackReason }).toEqual({ backend: 'native', fallbackReason: undefined });
  });

  it("'webgpu' in Node falls back to wasm and says why", async () => {
    rt = await createRuntime(await loadModel(dir), { backend: 'webgpu' });
    const stats = await rt.stats();
    expect(stats.backend).toBe('wasm');
    expect(stats.fallbackReason).toMatch(/navigator\.gpu is not available/);
  });

  it('workers: 0 runs the engine on the calling thread, workers: 1 in a worker; both give the same predictions', async () => {
    const model = await loadModel(dir);
    const outputs: number[][] = [];
    for (const workers of [0, 1]) {
      rt = await createRuntime(model, { workers });
      const s = rt.stream('d');
      for (let t = 0; t < 20; t++) {
        const p = await s.step({ values: [Math.sin(t), 0, 1, 0, Math.cos(t), 0] });
        if (t === 19) outputs.push(Array.from(p.output));
      }
      const stats = await rt.stats();
      expect(stats.workers.map((w) => w.onCallerThread)).toEqual([workers === 0]);
      await rt.close();
      rt = undefined;
    }
    expect(outputs[0]).toEqual(outputs[1]);
  });
});
