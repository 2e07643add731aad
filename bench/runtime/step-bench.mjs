// Runtime benchmark on a zoo package (default: models/zoo/sensor-activity), all peers measured in
// the same run: (a) s7rt stream.step through the worker, (b) bare in-process onnxruntime-web
// session.run of the same step graph, (c) onnxruntime-node, (d) PyTorch eager S7Model.step;
// throughput with 1 / 100 / 10,000 streams, batching on vs off; chunk-mode samples/s.
// Prints a table and a JSON line. Run: npm run build && node bench/runtime/step-bench.mjs [package]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ortWeb from 'onnxruntime-web';
import { createRuntime, loadModel } from '../../dist/node/index.js';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const pkg = resolve(process.argv[2] ?? join(root, 'models/zoo/sensor-activity'));
const ITERS = Number(process.env.BENCH_ITERS ?? 2000);
const model = await loadModel(pkg);
const m = model.manifest;
const size = m.input.size;
const sample = (t) => Array.from({ length: size }, (_, i) => Math.sin(t * 0.1 + i));

function summary(timesMs, batch = 1) {
  const s = [...timesMs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return { meanUs: mean * 1e3, p50Us: s[Math.floor(s.length / 2)] * 1e3, p99Us: s[Math.floor(s.length * 0.99)] * 1e3, stepsPerSec: (batch * 1e3) / mean };
}

async function timeLoop(fn, iters) {
  for (let i = 0; i < Math.max(50, iters / 10); i++) await fn(i);
  const times = new Array(iters);
  for (let i = 0; i < iters; i++) {
    const t0 = performance.now();
    await fn(i);
    times[i] = performance.now() - t0;
  }
  return times;
}

/** Step-graph feeds for batch 1 that carry the state from one call to the next. */
function bareStepper(Tensor, run) {
  let states = Object.fromEntries(m.state.map((e) => [e.name, new Float32Array(e.shape.reduce((a, b) => a * b, 1))]));
  return async (t) => {
    const feeds = { input: new Tensor('float32', Float32Array.from(sample(t)), [1, size]) };
    for (const e of m.state) feeds[`past_${e.name}`] = new Tensor('float32', states[e.name], [1, ...e.shape]);
    const out = await run(feeds);
    states = Object.fromEntries(m.state.map((e) => [e.name, out[`present_${e.name}`].data]));
    return out.output.data;
  };
}

const results = { package: m.id, iters: ITERS, node: process.version, latency: {}, throughput: [], chunk: [] };

// (a) s7rt through the worker, batch 1
{
  const rt = await createRuntime(model, { skipGoldenCheck: true });
  const s = rt.stream('bench');
  results.latency.s7rt = summary(await timeLoop((t) => s.step({ values: sample(t) }), ITERS));
  await rt.close();
}

// (b) bare onnxruntime-web in this thread, same settings as the worker (1 thread, simd)
{
  ortWeb.env.wasm.numThreads = 1;
  const session = await ortWeb.InferenceSession.create(model.graphs.step, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  results.latency.ortWeb = summary(await timeLoop(bareStepper(ortWeb.Tensor, (f) => session.run(f)), ITERS));
  await session.release();
}

// (c) onnxruntime-node (native), one intra-op thread
try {
  const ortNode = await import('onnxruntime-node');
  const session = await ortNode.InferenceSession.create(Buffer.from(model.graphs.step), { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  results.latency.ortNode = summary(await timeLoop(bareStepper(ortNode.Tensor, (f) => session.run(f)), ITERS));
} catch (e) {
  results.latency.ortNode = { error: `onnxruntime-node could not load: ${e.message}` };
}

// (d) PyTorch eager step (1 thread)
try {
  const out = execFileSync('python', [join(root, 'bench/runtime/torch_step.py'), pkg, String(ITERS)], { encoding: 'utf8' });
  results.latency.torch = JSON.parse(out.trim().split('\n').pop());
} catch (e) {
  results.latency.torch = { error: `python step failed: ${e.message}` };
}

// Throughput: S streams each stepped once per round, all rounds issued together per round.
for (const streams of [1, 100, 10_000]) {
  for (const batching of [true, false]) {
    const rt = await createRuntime(model, { skipGoldenCheck: true, maxBatch: batching ? 1024 : 1 });
    const hs = Array.from({ length: streams }, (_, i) => rt.stream(`s${i}`));
    const round = (r) => Promise.all(hs.map((h, i) => h.step({ values: sample(r + i) })));
    await round(0);
    // Enough rounds for ~2000 steps, at least 2; one-at-a-time at 10k streams gets a single round.
    const rounds = streams >= 10_000 ? (batching ? 3 : 1) : Math.max(2, Math.ceil(2000 / streams));
    const t0 = performance.now();
    for (let r = 1; r <= rounds; r++) await round(r);
    const ms = performance.now() - t0;
    const st = await rt.stats();
    results.throughput.push({ streams, batching, steps: streams * rounds, stepsPerSec: (streams * rounds * 1e3) / ms, meanBatch: st.steps / st.batches });
    await rt.close();
  }
}

// Chunk mode: push() of many samples per stream (chunk graph + step remainder)
for (const [streams, n] of [[1, 640], [100, 128]]) {
  const rt = await createRuntime(model, { skipGoldenCheck: true });
  const hs = Array.from({ length: streams }, (_, i) => rt.stream(`c${i}`));
  const samples = Array.from({ length: n }, (_, t) => ({ values: sample(t) }));
  await Promise.all(hs.map((h) => h.push(samples.slice(0, m.graphs.chunk.length))));
  const t0 = performance.now();
  await Promise.all(hs.map((h) => h.push(samples)));
  const ms = performance.now() - t0;
  results.chunk.push({ streams, samplesPerStream: n, samplesPerSec: (streams * n * 1e3) / ms });
  await rt.close();
}

const L = results.latency;
const ratio = (a, b) => (a?.meanUs && b?.meanUs ? (a.meanUs / b.meanUs).toFixed(2) : 'n/a');
const row = (name, r) => `${name.padEnd(34)} ${r.error ? r.error : `${r.meanUs.toFixed(0).padStart(8)} ${r.p50Us.toFixed(0).padStart(8)} ${r.p99Us.toFixed(0).padStart(8)} ${r.stepsPerSec.toFixed(0).padStart(10)}`}`;
console.log(`\nstep latency, batch 1, ${m.id} (${ITERS} steps)            mean µs   p50 µs   p99 µs    steps/s`);
console.log(row('(a) s7rt stream.step via worker', L.s7rt));
console.log(row('(b) onnxruntime-web session.run', L.ortWeb));
console.log(row('(c) onnxruntime-node session.run', L.ortNode));
console.log(row('(d) PyTorch eager S7Model.step', L.torch));
console.log(`ratios: a/b ${ratio(L.s7rt, L.ortWeb)} (target <= 1.5), a/c ${ratio(L.s7rt, L.ortNode)}, a/d ${ratio(L.s7rt, L.torch)} (target < 1)`);
console.log('\nthroughput                         streams  batching    steps/s  mean batch');
for (const t of results.throughput) console.log(`${''.padEnd(34)} ${String(t.streams).padStart(7)}  ${String(t.batching).padEnd(8)} ${t.stepsPerSec.toFixed(0).padStart(10)} ${t.meanBatch.toFixed(1).padStart(10)}`);
const on = results.throughput.find((t) => t.streams === 10_000 && t.batching);
const off = results.throughput.find((t) => t.streams === 10_000 && !t.batching);
results.batchingGain10k = on.stepsPerSec / off.stepsPerSec;
console.log(`batching gain at 10,000 streams: ${results.batchingGain10k.toFixed(1)}x (target >= 20x)`);
console.log('\nchunk mode                         streams  samples/stream  samples/s');
for (const c of results.chunk) console.log(`${''.padEnd(34)} ${String(c.streams).padStart(7)}  ${String(c.samplesPerStream).padStart(14)} ${c.samplesPerSec.toFixed(0).padStart(10)}`);
console.log(`\nJSON ${JSON.stringify(results)}`);
