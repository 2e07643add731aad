// Runtime benchmark on a zoo package (default: models/zoo/sensor-activity), all peers measured in
// the same run: (a) s7rt stream.step on each backend (wasm and native through a worker, native on
// this thread), (b) bare in-process onnxruntime-web session.run of the same step graph,
// (c) bare onnxruntime-node, (d) PyTorch eager S7Model.step; throughput with 1 / 100 / 10,000
// streams, batching on vs off, per backend; chunk-mode samples/s.
// Prints a table and a JSON line. Run: npm run build && node bench/runtime/step-bench.mjs [package]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ortWeb from 'onnxruntime-web';
import { createRuntime, loadModel } from '../../dist/node/index.js';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const pkg = resolve(process.argv[2] ?? join(root, 'models/zoo/sensor-activity'));
const ITERS = Number(process.env.BENCH_ITERS ?? 3000);
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

const results = { package: m.id, iters: ITERS, rounds: 0, node: process.version, latency: {}, throughput: [], chunk: [] };

// The machine is shared, so peers are measured in alternating rounds: each sees the same load.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
results.rounds = ROUNDS;
const perRound = Math.ceil(ITERS / ROUNDS);
const peers = {};

// (a) s7rt, batch 1: wasm and native through a worker, native on this thread (workers: 0)
const runtimesA = [];
for (const [name, opts] of [['s7rtWasm', { backend: 'wasm' }], ['s7rtNative', { backend: 'native' }], ['s7rtNativeInline', { backend: 'native', workers: 0 }]]) {
  const rt = await createRuntime(model, { skipGoldenCheck: true, ...opts });
  const st = await rt.stats();
  if (st.backend !== opts.backend) throw new Error(`${name}: wanted ${opts.backend}, got ${st.backend} (${st.fallbackReason})`);
  runtimesA.push(rt);
  const stream = rt.stream('bench');
  peers[name] = (t) => stream.step({ values: sample(t) });
}

// (b) bare onnxruntime-web in this thread, same settings as the worker (1 thread, simd)
ortWeb.env.wasm.numThreads = 1;
const webSession = await ortWeb.InferenceSession.create(model.graphs.step, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
peers.ortWeb = bareStepper(ortWeb.Tensor, (f) => webSession.run(f));

// (c) onnxruntime-node (native), one intra-op thread
try {
  const ortNode = await import('onnxruntime-node');
  const session = await ortNode.InferenceSession.create(Buffer.from(model.graphs.step), { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  peers.ortNode = bareStepper(ortNode.Tensor, (f) => session.run(f));
} catch (e) {
  results.latency.ortNode = { error: `onnxruntime-node could not load: ${e.message}` };
}

const times = Object.fromEntries(Object.keys(peers).map((k) => [k, []]));
// CPU time of this process (main thread + workers) per peer: far less sensitive than wall time to
// other tenants of a shared machine.
const cpuUs = Object.fromEntries(Object.keys(peers).map((k) => [k, 0]));
const torchRuns = [];
// Warm-up before anything is counted: V8 tiers wasm up in background threads, which would
// otherwise be billed to whichever peer runs first.
for (const fn of Object.values(peers)) for (let i = 0; i < 1000; i++) await fn(i);
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, fn] of Object.entries(peers)) {
    const c0 = process.cpuUsage();
    times[name].push(...(await timeLoop(fn, perRound)));
    const c = process.cpuUsage(c0);
    cpuUs[name] += c.user + c.system;
  }
  // (d) PyTorch eager step (1 thread), its own timing of perRound steps
  try {
    const out = execFileSync('python', [join(root, 'bench/runtime/torch_step.py'), pkg, String(perRound)], { encoding: 'utf8' });
    torchRuns.push(JSON.parse(out.trim().split('\n').pop()));
  } catch (e) {
    results.latency.torch = { error: `python step failed: ${e.message}` };
  }
}
// timeLoop also runs perRound/10 (at least 50) warm-up calls per round.
const calls = ROUNDS * (perRound + Math.max(50, perRound / 10));
for (const [name, t] of Object.entries(times)) results.latency[name] = { ...summary(t), cpuUsPerStep: cpuUs[name] / calls };
if (torchRuns.length === ROUNDS) {
  const mean = (k) => torchRuns.reduce((a, r) => a + r[k], 0) / ROUNDS;
  // Per-round medians and p99s averaged: the raw samples stay in the Python process.
  results.latency.torch = { meanUs: mean('meanUs'), p50Us: mean('p50Us'), p99Us: mean('p99Us'), stepsPerSec: 1e6 / mean('meanUs'), cpuUsPerStep: mean('cpuUs') };
}
for (const rt of runtimesA) await rt.close();
await webSession.release();

// Throughput: S streams each stepped once per round (all issued at once), batching on and off
// measured in alternating rounds.
for (const backend of ['native', 'wasm']) for (const streams of [1, 100, 10_000]) {
  const modes = [];
  for (const batching of [true, false]) {
    // Batching on uses the default maxBatch (256): in wasm, batches of a few hundred streams cost
    // less per stream than batches of a thousand (the [B, 2112] projection outgrows the cache).
    const rt = await createRuntime(model, { skipGoldenCheck: true, backend, maxBatch: batching ? undefined : 1 });
    const hs = Array.from({ length: streams }, (_, i) => rt.stream(`s${i}`));
    const round = (r) => Promise.all(hs.map((h, i) => h.step({ values: sample(r + i) })));
    for (let w = 0; w < Math.max(1, Math.ceil(1000 / streams)); w++) await round(0);
    modes.push({ batching, rt, round, steps: 0, ms: 0, cpuUs: 0 });
  }
  const rounds = streams >= 10_000 ? 2 : Math.max(4, Math.ceil(4000 / streams));
  for (let r = 1; r <= rounds; r++) {
    for (const mode of modes) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await mode.round(r);
      const c = process.cpuUsage(c0);
      mode.ms += performance.now() - t0;
      mode.cpuUs += c.user + c.system;
      mode.steps += streams;
    }
  }
  for (const mode of modes) {
    const st = await mode.rt.stats();
    results.throughput.push({ backend, streams, batching: mode.batching, steps: mode.steps, stepsPerSec: (mode.steps * 1e3) / mode.ms, stepsPerCpuSec: (mode.steps * 1e6) / mode.cpuUs, meanBatch: st.steps / st.batches });
    await mode.rt.close();
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
const ratio = (a, b, k = 'meanUs') => (a?.[k] && b?.[k] ? (a[k] / b[k]).toFixed(2) : 'n/a');
// each s7rt backend against the bare session of the same ONNX Runtime build, and against PyTorch
const ratios = (k) => ({
  wasmOverB: ratio(L.s7rtWasm, L.ortWeb, k),
  nativeOverC: ratio(L.s7rtNative, L.ortNode, k),
  inlineOverC: ratio(L.s7rtNativeInline, L.ortNode, k),
  nativeOverD: ratio(L.s7rtNative, L.torch, k),
  inlineOverD: ratio(L.s7rtNativeInline, L.torch, k),
});
results.ratios = { cpu: ratios('cpuUsPerStep'), mean: ratios('meanUs'), p50: ratios('p50Us') };
const row = (name, r) => `${name.padEnd(34)} ${r.error ? r.error : `${r.meanUs.toFixed(0).padStart(8)} ${r.p50Us.toFixed(0).padStart(8)} ${r.p99Us.toFixed(0).padStart(8)} ${r.stepsPerSec.toFixed(0).padStart(10)} ${r.cpuUsPerStep.toFixed(0).padStart(10)}`}`;
console.log(`\nstep latency, batch 1, ${m.id}: ${ITERS} steps per peer in ${ROUNDS} alternating rounds`);
console.log(`${"".padEnd(34)}  mean µs   p50 µs   p99 µs    steps/s  CPU µs/step`);
console.log(row('(a) s7rt step, wasm, worker', L.s7rtWasm));
console.log(row('(a) s7rt step, native, worker', L.s7rtNative));
console.log(row('(a) s7rt step, native, this thread', L.s7rtNativeInline));
console.log(row('(b) onnxruntime-web session.run', L.ortWeb));
console.log(row('(c) onnxruntime-node session.run', L.ortNode));
console.log(row('(d) PyTorch eager S7Model.step', L.torch));
for (const [k, label] of [['mean', 'means'], ['p50', 'p50s '], ['cpu', 'CPU  ']]) {
  const R = results.ratios[k];
  console.log(`ratios of ${label}: wasm/b ${R.wasmOverB}, native/c ${R.nativeOverC}, this-thread/c ${R.inlineOverC} (target <= 1.5); native/d ${R.nativeOverD}, this-thread/d ${R.inlineOverD} (target < 1)`);
}
console.log('\nthroughput                backend  streams  batching    steps/s  steps/CPU-s  mean batch');
for (const t of results.throughput) console.log(`${''.padEnd(25)} ${t.backend.padStart(7)} ${String(t.streams).padStart(7)}  ${String(t.batching).padEnd(8)} ${t.stepsPerSec.toFixed(0).padStart(10)} ${t.stepsPerCpuSec.toFixed(0).padStart(12)} ${t.meanBatch.toFixed(1).padStart(10)}`);
results.batchingGain10k = {};
for (const backend of ['native', 'wasm']) {
  const on = results.throughput.find((t) => t.backend === backend && t.streams === 10_000 && t.batching);
  const off = results.throughput.find((t) => t.backend === backend && t.streams === 10_000 && !t.batching);
  results.batchingGain10k[backend] = { wall: on.stepsPerSec / off.stepsPerSec, cpu: on.stepsPerCpuSec / off.stepsPerCpuSec };
  console.log(`batching gain at 10,000 streams, ${backend}: ${results.batchingGain10k[backend].wall.toFixed(1)}x in steps/s, ${results.batchingGain10k[backend].cpu.toFixed(1)}x in steps per CPU-second (target >= 20x)`);
}
console.log('\nchunk mode                         streams  samples/stream  samples/s');
for (const c of results.chunk) console.log(`${''.padEnd(34)} ${String(c.streams).padStart(7)}  ${String(c.samplesPerStream).padStart(14)} ${c.samplesPerSec.toFixed(0).padStart(10)}`);
console.log(`\nJSON ${JSON.stringify(results)}`);
