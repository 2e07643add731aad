// Classification throughput on a simulated DVS128-rate gesture stream: events/s and real-time factor
// (recording time / processing time) of `s7rt classify`'s pipeline (read AEDAT 3.1 → slice → tokenise
// → runtime), chunk mode vs step mode, against the same pipeline without the model (the limit) in the
// same run. Run:  npm run build && npx vite-node bench/classify/classify.bench.ts [--sessions 1] [--repeats 3]
// Prints one JSON object; docs/benchmarks.md "## Event-camera classification" records a run.

import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openEvents } from '../../devices/events/open-events.js';
import { writeGestureDataset } from '../../devices/events/sim/index.js';
import { sliceEventsIterable, type SliceSpec } from '../../devices/events/slice/index.js';
import { classifySlices } from '../../src/cli/classify.js';
import type { ClassifyMode } from '../../src/events/token-classifier.js';
import { EventTokenizer, tokenSpecOf } from '../../src/events/tokenizer.js';
import { createRuntime, loadModel } from '../../src/index.js';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '1' },
    repeats: { type: 'string', default: '3' },
    model: { type: 'string', default: resolve(import.meta.dirname, '../../models/zoo/dvs-gesture-sim') },
  },
});
const repeats = Number(values.repeats);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = mkdtempSync(join(tmpdir(), 's7rt-bench-classify-'));
try {
  const summary = await writeGestureDataset(dir, { sessions: Number(values.sessions), count: 7, seed: 515151 });
  const file = join(dir, summary.files[0].aedat);
  const model = await loadModel(values.model!);
  const spec = tokenSpecOf(model.manifest);
  const rt = await createRuntime(model);

  // the stream: its length and event rate
  let first = NaN;
  let last = 0;
  let events = 0;
  for await (const b of await openEvents(file)) {
    if (Number.isNaN(first)) first = b.t[0];
    last = b.t[b.length - 1];
    events += b.length;
  }
  const durationS = (last - first) / 1e6;

  // the limit: the same read → slice → tokenise pipeline without the model
  const baseline = async (slice: SliceSpec) => {
    const start = performance.now();
    const tk = new EventTokenizer(spec);
    for await (const s of sliceEventsIterable(await openEvents(file), slice)) tk.push(s);
    return (performance.now() - start) / 1e3;
  };
  let n = 0;
  const classify = async (slice: SliceSpec, mode: ClassifyMode) => {
    const r = await classifySlices(sliceEventsIterable(await openEvents(file), slice), rt.stream(`bench-${n++}`), model.manifest, { mode });
    return r.wallMs / 1e3;
  };

  const rows: Record<string, unknown>[] = [];
  for (const [name, slice] of [
    ['10k-event slices', { events: 10_000 }],
    ['50 ms slices', { duration: 50_000 }],
    ['1-event slices', { events: 1 }],
  ] as const) {
    const bs: number[] = [];
    for (let i = 0; i < repeats; i++) bs.push(await baseline(slice));
    const base = median(bs);
    for (const mode of ['chunk', 'step'] as const) {
      const xs: number[] = [];
      for (let i = 0; i < repeats; i++) xs.push(await classify(slice, mode));
      const wall = median(xs);
      rows.push({
        slices: name,
        mode,
        eventsPerSecond: Math.round(events / wall),
        tokensPerSecond: Math.round(Math.ceil(events / spec.decimate) / wall),
        realTimeFactor: +(durationS / wall).toFixed(2),
        vsPipelineWithoutModel: +(base / wall).toFixed(3),
        pipelineWithoutModelEventsPerSecond: Math.round(events / base),
      });
    }
  }
  const chunk10k = rows.find((r) => r.mode === 'chunk' && r.slices === '10k-event slices')!;
  const step10k = rows.find((r) => r.mode === 'step' && r.slices === '10k-event slices')!;
  console.log(
    JSON.stringify(
      {
        model: model.manifest.id,
        decimate: spec.decimate,
        chunkLength: model.manifest.graphs.chunk.length,
        stream: { events, durationS: +durationS.toFixed(3), eventsPerSecond: Math.round(events / durationS) },
        cpu: cpus()[0]?.model,
        loadAverage: (await import('node:os')).loadavg().map((x) => +x.toFixed(1)),
        repeats,
        rows,
        chunkOverStep10k: +((chunk10k.eventsPerSecond as number) / (step10k.eventsPerSecond as number)).toFixed(2),
      },
      null,
      1,
    ),
  );
  await rt.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
