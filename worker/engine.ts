// The worker's engine: the step/chunk sessions and the state table slot -> x_k tensors.
// Steps of many streams run as one batch: gather their states into [B, ...] tensors, run the
// step graph once, scatter the `present_*` outputs back. Runs are strictly sequential (the
// caller serialises), which WebGPU needs and which keeps each stream's order.
import { createSessions, type Feed, type GraphSession } from '../src/backend/ort.js';
import { goldenInputs, Tolerance, type Golden } from '../src/model/golden.js';
import { inputWidth, stateSize, type Manifest } from '../src/model/manifest.js';
import type { Backend } from '../src/api.js';
import type { GoldenReport, InitOptions, PushRequest, SnapshotPart, WorkerStats } from './protocol.js';

/** State tensor naming convention (docs/model-package.md): `past_<name>` in, `present_<name>` out. */
export const pastName = (state: string): string => `past_${state}`;
export const presentName = (state: string): string => `present_${state}`;

interface StreamState {
  key: string;
  /** one Float32Array per manifest state entry (batch-1 slices). */
  state: Float32Array[];
}

export class Engine {
  private readonly streams = new Map<number, StreamState>();
  private readonly sizes: number[];
  private readonly width: number;
  private readonly tokens: boolean;
  /** gather buffers per state entry, grown to the largest batch seen. */
  private gather: Float32Array[];
  readonly counters = { steps: 0, batches: 0, chunkRuns: 0, maxBatchSeen: 0 };

  private constructor(
    readonly manifest: Manifest,
    private readonly step: GraphSession,
    private readonly chunk: GraphSession,
    readonly backend: Backend,
    readonly fallbackReason: string | undefined,
    maxBatch: number,
  ) {
    this.sizes = manifest.state.map(stateSize);
    this.width = inputWidth(manifest);
    this.tokens = manifest.input.kind === 'tokens';
    this.gather = this.sizes.map((s) => new Float32Array(s * Math.max(1, maxBatch)));
    checkGraphIo(manifest, step, 'step');
    checkGraphIo(manifest, chunk, 'chunk');
  }

  static async create(opts: InitOptions): Promise<Engine> {
    const { sessions, backend, fallbackReason } = await createSessions(
      { step: opts.graphs.step, chunk: opts.graphs.chunk },
      opts.backend,
    );
    return new Engine(opts.manifest, sessions.step!, sessions.chunk!, backend, fallbackReason, opts.maxBatch);
  }

  private zeroState(key: string): StreamState {
    return { key, state: this.sizes.map((s) => new Float32Array(s)) };
  }

  /** Streams are created on first use too, so a step never waits for its open message. */
  private get(slot: number): StreamState {
    let s = this.streams.get(slot);
    if (!s) {
      s = this.zeroState(String(slot));
      this.streams.set(slot, s);
    }
    return s;
  }

  open(slot: number, key: string): void {
    this.get(slot).key = key;
  }
  close(slot: number): void {
    this.streams.delete(slot);
  }
  reset(slot: number): void {
    for (const t of this.get(slot).state) t.fill(0);
  }
  list(): string[] {
    return [...this.streams.values()].map((s) => s.key);
  }

  snapshot(slots: number[]): SnapshotPart {
    const per = this.sizes.reduce((a, b) => a + b, 0);
    const states = new Float32Array(per * slots.length);
    const keys: string[] = [];
    slots.forEach((slot, i) => {
      const s = this.get(slot);
      keys.push(s.key);
      let off = i * per;
      for (const t of s.state) {
        states.set(t, off);
        off += t.length;
      }
    });
    return { keys, states };
  }

  restore(slots: number[], keys: string[], states: Float32Array): void {
    const per = this.sizes.reduce((a, b) => a + b, 0);
    slots.forEach((slot, i) => {
      const s = this.get(slot);
      s.key = keys[i]!;
      let off = i * per;
      for (const t of s.state) {
        t.set(states.subarray(off, off + t.length));
        off += t.length;
      }
    });
  }

  stats(): Omit<WorkerStats, 'onCallerThread'> {
    const heapUsed = typeof process !== 'undefined' && process.memoryUsage ? process.memoryUsage().heapUsed : 0;
    return { streams: this.streams.size, ...this.counters, heapUsed };
  }

  private inputFeed(data: Float32Array, dims: number[]): Feed {
    if (!this.tokens) return { data, dims };
    const ids = new BigInt64Array(data.length);
    for (let i = 0; i < data.length; i++) ids[i] = BigInt(data[i]!);
    return { data: ids, dims };
  }

  private feeds(input: Float32Array, inputDims: number[], dt: Float32Array | undefined, dtDims: number[], states: Float32Array[], B: number): Record<string, Feed> {
    const feeds: Record<string, Feed> = { [this.tokens ? 'tokens' : 'input']: this.inputFeed(input, inputDims) };
    if (this.manifest.input.dt) feeds.dt = { data: dt!, dims: dtDims };
    this.manifest.state.forEach((e, i) => {
      feeds[pastName(e.name)] = { data: states[i]!, dims: [B, ...e.shape] };
    });
    return feeds;
  }

  /** Runs one step for B distinct streams; returns the [B, output.size] outputs. */
  async stepBatch(slots: Int32Array, input: Float32Array, dt?: Float32Array): Promise<Float32Array> {
    const B = slots.length;
    if (B === 0) return new Float32Array(0);
    if (this.gather[0]!.length < B * this.sizes[0]!) this.gather = this.sizes.map((s) => new Float32Array(s * B));
    const rows: StreamState[] = new Array(B);
    for (let b = 0; b < B; b++) rows[b] = this.get(slots[b]!);
    const past = this.sizes.map((size, e) => {
      const buf = this.gather[e]!.subarray(0, B * size);
      for (let b = 0; b < B; b++) buf.set(rows[b]!.state[e]!, b * size);
      return buf;
    });
    const out = await this.step.run(this.feeds(input, this.tokens ? [B] : [B, this.width], dt, [B], past, B));
    this.manifest.state.forEach((e, i) => {
      const present = out[presentName(e.name)]!;
      const size = this.sizes[i]!;
      for (let b = 0; b < B; b++) rows[b]!.state[i]!.set(present.subarray(b * size, (b + 1) * size));
    });
    this.counters.steps += B;
    this.counters.batches += 1;
    if (B > this.counters.maxBatchSeen) this.counters.maxBatchSeen = B;
    return out.output!;
  }

  /**
   * Pushes of several streams (each at most once): chunk c of every stream that has one runs as
   * one batched chunk-graph call, then the n mod L remainders run as batched step-graph calls.
   * Per stream this is floor(n/L) chunks then the rest, as the package contract prescribes.
   */
  async pushBatch(pushes: PushRequest[]): Promise<Float32Array[]> {
    const L = this.manifest.graphs.chunk.length;
    const O = this.manifest.output.size;
    const w = this.width;
    const timeAware = this.manifest.input.dt;
    const results = pushes.map((p) => new Float32Array(p.n * O));
    const rows = pushes.map((p) => this.get(p.slot));
    const chunks = pushes.map((p) => Math.floor(p.n / L));
    const maxChunks = Math.max(0, ...chunks);
    for (let c = 0; c < maxChunks; c++) {
      const idx = pushes.map((_, i) => i).filter((i) => chunks[i]! > c);
      const B = idx.length;
      const input = new Float32Array(B * L * w);
      const dt = timeAware ? new Float32Array(B * L) : undefined;
      idx.forEach((i, b) => {
        input.set(pushes[i]!.input.subarray(c * L * w, (c + 1) * L * w), b * L * w);
        dt?.set(pushes[i]!.dt!.subarray(c * L, (c + 1) * L), b * L);
      });
      const past = this.sizes.map((size, e) => {
        const buf = new Float32Array(B * size);
        idx.forEach((i, b) => buf.set(rows[i]!.state[e]!, b * size));
        return buf;
      });
      const out = await this.chunk.run(this.feeds(input, this.tokens ? [B, L] : [B, L, w], dt, [B, L], past, B));
      idx.forEach((i, b) => {
        results[i]!.set(out.output!.subarray(b * L * O, (b + 1) * L * O), c * L * O);
        this.manifest.state.forEach((e, k) => {
          const size = this.sizes[k]!;
          rows[i]!.state[k]!.set(out[presentName(e.name)]!.subarray(b * size, (b + 1) * size));
        });
      });
      this.counters.chunkRuns += 1;
      this.counters.steps += B * L;
    }
    const rest = pushes.map((p, i) => p.n - chunks[i]! * L);
    const maxRest = Math.max(0, ...rest);
    for (let k = 0; k < maxRest; k++) {
      const idx = pushes.map((_, i) => i).filter((i) => rest[i]! > k);
      const slots = Int32Array.from(idx, (i) => pushes[i]!.slot);
      const input = new Float32Array(idx.length * w);
      const dt = timeAware ? new Float32Array(idx.length) : undefined;
      idx.forEach((i, b) => {
        const t = chunks[i]! * L + k;
        input.set(pushes[i]!.input.subarray(t * w, (t + 1) * w), b * w);
        if (dt) dt[b] = pushes[i]!.dt![t]!;
      });
      const y = await this.stepBatch(slots, input, dt);
      idx.forEach((i, b) => results[i]!.set(y.subarray(b * O, (b + 1) * O), (chunks[i]! * L + k) * O));
    }
    return results;
  }

  /**
   * Runs the golden inputs as one batch of B streams in step mode, then in chunk mode (chunks
   * plus step-graph remainder), comparing every output and the final states.
   */
  async goldenCheck(g: Golden): Promise<GoldenReport[]> {
    const m = this.manifest;
    const { batch: B, steps: T } = g;
    const w = this.width;
    const O = m.output.size;
    const L = m.graphs.chunk.length;
    const inputs = goldenInputs(g, m);
    const dts = g.dt ? Float32Array.from(g.dt.data) : undefined;
    const want = g.output.data;
    const reports: GoldenReport[] = [];

    const slice = (t0: number, len: number) => {
      const x = new Float32Array(B * len * w);
      const d = dts ? new Float32Array(B * len) : undefined;
      for (let b = 0; b < B; b++) {
        x.set(inputs.subarray((b * T + t0) * w, (b * T + t0 + len) * w), b * len * w);
        d?.set(dts!.subarray(b * T + t0, b * T + t0 + len), b * len);
      }
      return { x, d };
    };

    for (const mode of ['step', 'chunk'] as const) {
      const tol = new Tolerance(m.golden.atol, m.golden.rtol);
      let states: Float32Array[] = this.sizes.map((s) => new Float32Array(B * s));
      const runStep = async (t: number) => {
        const { x, d } = slice(t, 1);
        const out = await this.step.run(this.feeds(x, this.tokens ? [B] : [B, w], d, [B], states, B));
        states = m.state.map((e) => out[presentName(e.name)]!);
        for (let b = 0; b < B; b++)
          tol.compare(out.output!.subarray(b * O, (b + 1) * O), want.slice((b * T + t) * O, (b * T + t + 1) * O), (i) => ({
            mode, tensor: 'output', stream: b, step: t, index: i,
          }));
      };
      let t = 0;
      if (mode === 'chunk') {
        for (; t + L <= T; t += L) {
          const { x, d } = slice(t, L);
          const out = await this.chunk.run(this.feeds(x, this.tokens ? [B, L] : [B, L, w], d, [B, L], states, B));
          states = m.state.map((e) => out[presentName(e.name)]!);
          for (let b = 0; b < B; b++)
            tol.compare(out.output!.subarray(b * L * O, (b + 1) * L * O), want.slice((b * T + t) * O, (b * T + t + L) * O), (i) => ({
              mode, tensor: 'output', stream: b, step: t + Math.floor(i / O), index: i % O,
            }));
        }
      }
      for (; t < T; t++) await runStep(t);
      m.state.forEach((e, i) => {
        const size = this.sizes[i]!;
        tol.compare(states[i]!, g.state[e.name]!.data, (j) => ({
          mode, tensor: `state.${e.name}`, stream: Math.floor(j / size), index: j % size,
        }));
      });
      reports.push({ mode, ok: tol.worst === undefined, maxAbsError: tol.maxAbsError, where: tol.worst });
    }
    return reports;
  }

  async dispose(): Promise<void> {
    await this.step.release();
    await this.chunk.release();
  }
}

/** The graphs must follow the naming convention and agree with the manifest's state shapes. */
function checkGraphIo(m: Manifest, s: GraphSession, which: 'step' | 'chunk'): void {
  const problems: string[] = [];
  const inputName = m.input.kind === 'dense' ? 'input' : 'tokens';
  if (!s.inputNames.includes(inputName)) problems.push(`missing input "${inputName}"`);
  if (m.input.dt && !s.inputNames.includes('dt')) problems.push('missing input "dt"');
  if (!s.outputNames.includes('output')) problems.push('missing output "output"');
  for (const e of m.state) {
    const shape = s.inputShapes[pastName(e.name)];
    if (!shape) problems.push(`missing input "${pastName(e.name)}"`);
    else if (shape.slice(1).some((d, i) => typeof d === 'number' && d !== e.shape[i]) || shape.length !== e.shape.length + 1)
      problems.push(`input "${pastName(e.name)}" has shape [${shape}], manifest says [B, ${e.shape}]`);
    if (!s.outputNames.includes(presentName(e.name))) problems.push(`missing output "${presentName(e.name)}"`);
  }
  if (problems.length) throw new Error(`${which} graph does not match the manifest: ${problems.join('; ')}`);
}
