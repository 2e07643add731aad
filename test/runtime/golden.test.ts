// Every package in models/zoo/ reproduces its golden vectors through the public API: step mode
// with one stream at a time and with all streams batched, and chunk mode (push); on the native
// (onnxruntime-node) and wasm (onnxruntime-web) backends in a worker, and native on this thread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, decodeSnapshot, loadModel, type Backend, type LoadedModel, type Runtime } from '../../src/index.js';
import { expectClose, goldenOutput, goldenSample, zooPackages } from './zoo.js';

const configs: Array<{ backend: Backend; workers: number }> = [
  { backend: 'native', workers: 1 },
  { backend: 'wasm', workers: 1 },
  { backend: 'native', workers: 0 },
];

for (const dir of zooPackages()) for (const { backend, workers } of configs) {
  describe(`golden vectors of ${dir.split('/').pop()} (${backend}, ${workers === 0 ? 'this thread' : 'worker'})`, () => {
    let model: LoadedModel;
    let rt: Runtime;
    beforeAll(async () => {
      model = await loadModel(dir);
      // The load-time golden check (step and chunk mode, batch of all golden streams) runs here.
      rt = await createRuntime(model, { backend, workers });
      const stats = await rt.stats();
      expect({ backend: stats.backend, fallbackReason: stats.fallbackReason }).toEqual({ backend, fallbackReason: undefined });
    });
    afterAll(() => rt?.close());

    const finalStates = async (keys: string[]) => {
      const { manifest: m, golden: g } = model;
      const snap = decodeSnapshot((await rt.snapshot(keys)).bytes, { modelId: m.id, state: m.state });
      const per = snap.states.length / keys.length;
      keys.forEach((_, b) => {
        let off = b * per;
        for (const e of m.state) {
          const n = e.shape.reduce((a, c) => a * c, 1);
          expectClose(snap.states.subarray(off, off + n), g.state[e.name]!.data.slice(b * n, (b + 1) * n), m, `${keys[b]} state ${e.name}`);
          off += n;
        }
      });
    };

    it('step mode, batch of 1: each golden stream alone', async () => {
      const { manifest: m, golden: g } = model;
      const keys: string[] = [];
      for (let b = 0; b < g.batch; b++) {
        const s = rt.stream(`alone-${b}`);
        keys.push(s.key);
        for (let t = 0; t < g.steps; t++) {
          const p = await s.step(goldenSample(g, m, b, t));
          expectClose(p.output, goldenOutput(g, m, b, t), m, `stream ${b} step ${t}`);
        }
      }
      await finalStates(keys);
      const stats = await rt.stats();
      expect(stats.workers[0]!.maxBatchSeen).toBe(1);
    });

    it('step mode, all golden streams batched together', async () => {
      const { manifest: m, golden: g } = model;
      const streams = Array.from({ length: g.batch }, (_, b) => rt.stream(`batched-${b}`));
      const before = await rt.stats();
      for (let t = 0; t < g.steps; t++) {
        const ps = await Promise.all(streams.map((s, b) => s.step(goldenSample(g, m, b, t))));
        ps.forEach((p, b) => expectClose(p.output, goldenOutput(g, m, b, t), m, `stream ${b} step ${t}`));
      }
      const after = await rt.stats();
      // g.steps batches of g.batch streams each: the steps really were batched.
      expect(after.batches - before.batches).toBe(g.steps);
      expect(after.workers[0]!.maxBatchSeen).toBe(g.batch);
      await finalStates(streams.map((s) => s.key));
    });

    it('chunk mode: push of all steps (chunk graph + step remainder), streams concurrently', async () => {
      const { manifest: m, golden: g } = model;
      const L = m.graphs.chunk.length;
      // Split so both the chunk graph and the step-graph remainder run: L + 1 samples, then the rest.
      const cut = Math.min(g.steps, L + 1);
      const streams = Array.from({ length: g.batch }, (_, b) => rt.stream(`chunked-${b}`));
      const before = await rt.stats();
      const feed = (b: number, from: number, to: number) =>
        streams[b]!.push(Array.from({ length: to - from }, (_, i) => goldenSample(g, m, b, from + i)));
      const first = await Promise.all(streams.map((_, b) => feed(b, 0, cut)));
      const second = await Promise.all(streams.map((_, b) => feed(b, cut, g.steps)));
      streams.forEach((_, b) => {
        const preds = [...first[b]!, ...second[b]!];
        expect(preds).toHaveLength(g.steps);
        preds.forEach((p, t) => expectClose(p.output, goldenOutput(g, m, b, t), m, `stream ${b} step ${t}`));
      });
      const after = await rt.stats();
      // The streams' pushes arrive together, so each chunk index runs once for all of them.
      expect(after.workers[0]!.chunkRuns - before.workers[0]!.chunkRuns).toBe(Math.floor(cut / L) + Math.floor((g.steps - cut) / L));
      await finalStates(streams.map((s) => s.key));
    });
  });
}
