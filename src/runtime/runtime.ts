// createRuntime: starts the workers, runs the golden check, and hands out stream handles.
// Streams are sharded over workers by a hash of their key; each worker keeps its streams' states.
import type { Prediction, Runtime, RuntimeOptions, RuntimeStats, Sample, Snapshot, StreamHandle } from '../api.js';
import {
  GoldenMismatchError,
  InferenceError,
  RuntimeClosedError,
  S7rtError,
  SampleError,
  StreamClosedError,
  UnknownStreamError,
} from '../errors.js';
import type { LoadedModel } from '../model/load.js';
import { inputWidth, type Manifest } from '../model/manifest.js';
import { totalStateSize } from '../model/golden.js';
import { decodeSnapshot, encodeSnapshot, SNAPSHOT_FORMAT_VERSION } from '../snapshot/format.js';
import { Batcher } from './batcher.js';
import { toPrediction } from './prediction.js';
import { sampleRow } from './validate-sample.js';
import { startInline, startWorker, type WorkerLink } from './worker-link.js';

const noop = () => undefined;

/** FNV-1a: a stable shard for each key. */
function shardOf(key: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % shards;
}

interface Shard {
  link: WorkerLink;
  batcher: Batcher;
}

class Stream implements StreamHandle {
  closed = false;
  /** set while a control operation (reset, close, snapshot) owns the stream. */
  private barrier: Promise<void> | undefined;
  /** settles when everything sent so far for this stream has been answered. */
  private lastDone: Promise<unknown> = Promise.resolve();

  constructor(
    readonly key: string,
    readonly slot: number,
    private readonly rt: S7Runtime,
    private readonly shard: Shard,
  ) {}

  step(sample: Sample): Promise<Prediction> {
    const m = this.rt.manifest;
    let row: Float32Array;
    let dt: number;
    try {
      this.rt.assertUsable(this);
      row = new Float32Array(inputWidth(m));
      dt = sampleRow(m, this.key, sample, row);
    } catch (e) {
      return this.rt.rejected(e);
    }
    const send = (): Promise<Prediction> => {
      if (this.closed) return this.rt.rejected(new StreamClosedError(this.key));
      return this.shard.batcher.step(this.slot, row, dt).then(
        (y) => toPrediction(m, y),
        (e) => this.rt.rejected(e),
      );
    };
    const p = this.barrier ? this.barrier.then(send) : send();
    this.lastDone = p.then(noop, noop);
    return p;
  }

  push(samples: Sample[]): Promise<Prediction[]> {
    const m = this.rt.manifest;
    const w = inputWidth(m);
    const n = samples?.length ?? 0;
    const input = new Float32Array(n * w);
    const dt = m.input.dt ? new Float32Array(n) : undefined;
    try {
      this.rt.assertUsable(this);
      for (let i = 0; i < n; i++) {
        try {
          const d = sampleRow(m, this.key, samples[i]!, input, i * w);
          if (dt) dt[i] = d;
        } catch (e) {
          throw e instanceof S7rtError ? new SampleError(i, e) : e;
        }
      }
    } catch (e) {
      return this.rt.rejected(e);
    }
    if (n === 0) return Promise.resolve([]);
    const O = m.output.size;
    const send = (): Promise<Prediction[]> => {
      if (this.closed) return this.rt.rejected(new StreamClosedError(this.key));
      return this.shard.batcher.push(this.slot, input, n, dt).then(
        (y) => Array.from({ length: n }, (_, i) => toPrediction(m, y.slice(i * O, (i + 1) * O))),
        (e) => this.rt.rejected(e),
      );
    };
    const p = this.barrier ? this.barrier.then(send) : send();
    this.lastDone = p.then(noop, noop);
    return p;
  }

  /** Runs `fn` after this stream's pending work; its later steps wait for `fn`. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const before = Promise.all([this.lastDone, this.barrier]);
    const result = before.then(fn);
    const barrier = result.then(noop, noop);
    this.barrier = barrier;
    this.lastDone = barrier;
    void barrier.then(() => {
      if (this.barrier === barrier) this.barrier = undefined;
    });
    return result;
  }

  reset(): Promise<void> {
    try {
      this.rt.assertUsable(this);
    } catch (e) {
      return this.rt.rejected(e);
    }
    return this.exclusive(() => this.shard.link.control.reset(this.slot));
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.rt.forget(this);
    if (this.rt.isClosed) return Promise.resolve();
    return this.exclusive(() => this.shard.link.control.close(this.slot));
  }
}

export class S7Runtime implements Runtime {
  private readonly streams = new Map<string, Stream>();
  private nextSlot = 1;
  private closed = false;
  private failure: Error | undefined;
  private readonly rejectedByReason: Record<string, number> = {};

  constructor(
    readonly manifest: Manifest,
    private readonly shards: Shard[],
    readonly backend: RuntimeStats['backend'],
    readonly fallbackReason: string | undefined,
  ) {
    for (const s of shards)
      s.link.onFailure((err) => {
        if (this.closed) return;
        this.failure = new InferenceError(`worker failed: ${err.message}`);
        for (const t of this.shards) t.batcher.fail(this.failure);
      });
  }

  get modelId(): string {
    return this.manifest.id;
  }
  get isClosed(): boolean {
    return this.closed;
  }

  /** Counts the error by its code and returns it as a rejection. */
  rejected<T>(e: unknown): Promise<T> {
    const code = e instanceof S7rtError ? e.code : 'internal';
    this.rejectedByReason[code] = (this.rejectedByReason[code] ?? 0) + 1;
    return Promise.reject(e);
  }

  assertUsable(s?: Stream): void {
    if (this.closed) throw new RuntimeClosedError();
    if (this.failure) throw this.failure;
    if (s?.closed) throw new StreamClosedError(s.key);
  }

  forget(s: Stream): void {
    if (this.streams.get(s.key) === s) this.streams.delete(s.key);
  }

  stream(key: string): StreamHandle {
    this.assertUsable();
    return this.open(key);
  }

  private open(key: string): Stream {
    let s = this.streams.get(key);
    if (!s) {
      const shard = this.shards[shardOf(key, this.shards.length)]!;
      s = new Stream(key, this.nextSlot++, this, shard);
      this.streams.set(key, s);
      // The worker creates zero states on first use; open only names the slot for list().
      void shard.link.control.open(s.slot, key).catch(noop);
    }
    return s;
  }

  get(key: string): StreamHandle {
    this.assertUsable();
    const s = this.streams.get(key);
    if (!s) {
      this.rejectedByReason.unknown_stream = (this.rejectedByReason.unknown_stream ?? 0) + 1;
      throw new UnknownStreamError(key);
    }
    return s;
  }

  has(key: string): boolean {
    return this.streams.has(key);
  }

  keys(): string[] {
    return [...this.streams.keys()];
  }

  async snapshot(keys?: string[]): Promise<Snapshot> {
    this.assertUsable();
    const chosen = (keys ?? this.keys()).map((k) => this.get(k) as Stream);
    const per = totalStateSize(this.manifest);
    const states = new Float32Array(per * chosen.length);
    // Each stream is read after its pending steps, one exclusive section per shard.
    await Promise.all(
      this.shards.map(async (shard) => {
        const mine = chosen.map((s, i) => ({ s, i })).filter(({ s }) => (s as unknown as { shard: Shard }).shard === shard);
        if (mine.length === 0) return;
        const part = await this.exclusiveAll(mine.map(({ s }) => s), () => shard.link.control.snapshot(mine.map(({ s }) => s.slot)));
        mine.forEach(({ i }, j) => states.set(part.states.subarray(j * per, (j + 1) * per), i * per));
      }),
    );
    const bytes = encodeSnapshot({ modelId: this.modelId, state: this.manifest.state, keys: chosen.map((s) => s.key), states });
    return { modelId: this.modelId, formatVersion: SNAPSHOT_FORMAT_VERSION, bytes };
  }

  async restore(snapshot: Snapshot | Uint8Array): Promise<string[]> {
    try {
      this.assertUsable();
    } catch (e) {
      return this.rejected(e);
    }
    let content;
    try {
      content = decodeSnapshot(snapshot instanceof Uint8Array ? snapshot : snapshot?.bytes, { modelId: this.modelId, state: this.manifest.state });
    } catch (e) {
      return this.rejected(e);
    }
    const per = totalStateSize(this.manifest);
    const streams = content.keys.map((k) => this.open(k));
    await Promise.all(
      this.shards.map(async (shard) => {
        const mine = streams.map((s, i) => ({ s, i })).filter(({ s }) => (s as unknown as { shard: Shard }).shard === shard);
        if (mine.length === 0) return;
        const states = new Float32Array(per * mine.length);
        mine.forEach(({ i }, j) => states.set(content.states.subarray(i * per, (i + 1) * per), j * per));
        await this.exclusiveAll(mine.map(({ s }) => s), () =>
          shard.link.control.restore(mine.map(({ s }) => s.slot), mine.map(({ s }) => s.key), states),
        );
      }),
    );
    return content.keys;
  }

  private exclusiveAll<T>(streams: Stream[], fn: () => Promise<T>): Promise<T> {
    // Chain the streams' exclusive sections so that fn runs once all of them are quiet.
    let gate!: () => void;
    const open = new Promise<void>((r) => (gate = r));
    let result!: Promise<T>;
    const entered = streams.map((s) => new Promise<void>((entered) => void s.exclusive(() => (entered(), open))));
    result = Promise.all(entered).then(fn);
    void result.then(gate, gate);
    return result;
  }

  async stats(): Promise<RuntimeStats> {
    this.assertUsable();
    const workers = await Promise.all(this.shards.map((s) => s.link.control.stats()));
    const rejected = Object.values(this.rejectedByReason).reduce((a, b) => a + b, 0);
    return {
      backend: this.backend,
      fallbackReason: this.fallbackReason,
      streams: this.streams.size,
      steps: workers.reduce((a, w) => a + w.steps, 0),
      batches: workers.reduce((a, w) => a + w.batches, 0),
      rejected,
      rejectedByReason: { ...this.rejectedByReason },
      workers,
    };
  }

  /** Each worker's JS heap after a GC (when the process was started with --expose-gc). */
  workerHeaps(): Promise<number[]> {
    this.assertUsable();
    return Promise.all(this.shards.map((s) => s.link.control.heapAfterGc()));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.closed = true;
    this.streams.clear();
    for (const s of this.shards) s.batcher.fail(new RuntimeClosedError());
    await Promise.all(
      this.shards.map(async (s) => {
        // A live worker releases its sessions first (bounded wait); a dead one is just ended.
        if (!this.failure) {
          let timer: ReturnType<typeof setTimeout> | undefined;
          const dispose = Promise.resolve()
            .then(() => s.link.control.dispose())
            .catch(noop);
          await Promise.race([dispose, new Promise((r) => (timer = setTimeout(r, 2000)))]);
          clearTimeout(timer);
        }
        await s.link.terminate();
      }),
    );
  }
}

export async function createRuntime(model: LoadedModel, opts: RuntimeOptions = {}): Promise<Runtime> {
  const m = model.manifest;
  const workers = Math.max(0, Math.floor(opts.workers ?? 1));
  const maxBatch = Math.max(1, opts.maxBatch ?? 256);
  const links = workers === 0 ? [await startInline(opts.workerUrl)] : await Promise.all(Array.from({ length: workers }, () => startWorker(opts.workerUrl)));
  try {
    const inits = await Promise.all(
      links.map((l) =>
        l.control.init({
          manifest: m,
          graphs: { step: model.graphs.step, chunk: model.graphs.chunk },
          backend: opts.backend ?? 'auto',
          maxBatch,
          wasmBase: opts.wasmBase,
        }),
      ),
    );
    if (!opts.skipGoldenCheck) {
      for (const l of links) {
        for (const r of await l.control.goldenCheck(model.golden)) {
          if (!r.ok) throw new GoldenMismatchError(m.id, r.maxAbsError, r.where!);
        }
      }
    }
    const shards = links.map((link) => ({
      link,
      batcher: new Batcher(link, {
        width: inputWidth(m),
        outputSize: m.output.size,
        timeAware: m.input.dt,
        maxBatch,
        maxInFlight: Math.max(1, opts.maxInFlight ?? 2),
      }),
    }));
    return new S7Runtime(m, shards, inits[0]!.backend, inits[0]!.fallbackReason);
  } catch (e) {
    await Promise.all(links.map((l) => l.terminate().catch(noop)));
    throw e;
  }
}
