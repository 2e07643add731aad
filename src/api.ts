// The public API's shapes. The runtime implements them; the CLI, MQTT service, RxJS operators
// and dashboard depend only on these, never on onnxruntime or the worker protocol.

/** One sample for a stream: dense values (Float32Array or number[]) or an event token. */
export interface Sample {
  /** dense models: `input.size` raw (un-normalised) values. */
  values?: ArrayLike<number>;
  /** token models: the token id. */
  token?: number;
  /** time since the previous sample, in the model's `input.timeUnit` (time-aware models only). */
  dt?: number;
}

export interface Prediction {
  /** the raw output vector (probabilities for classifiers). */
  output: Float32Array;
  /** classifiers: the arg-max label and its probability. */
  label?: string;
  probability?: number;
  /** classifiers: label -> probability. regressors: name -> value. */
  values: Record<string, number>;
}

/** native: onnxruntime-node (Node); wasm: onnxruntime-web everywhere; webgpu: browsers with navigator.gpu. */
export type Backend = 'native' | 'wasm' | 'webgpu';
/** 'auto': native where onnxruntime-node loads (Node), else wasm. */
export type BackendRequest = Backend | 'auto';

export interface RuntimeOptions {
  /** preferred backend; falls back to wasm when unavailable (stats say why). Default 'auto'. */
  backend?: BackendRequest;
  /** worker threads, each owning a shard of the streams. Default 1. 0 (Node only): run on the
   *  calling thread, no thread hop: lowest latency on a small machine, but a batch blocks the event loop. */
  workers?: number;
  /** largest batch of streams run in one session.run. Default 256. */
  maxBatch?: number;
  /** skip the golden-vector check on load. Default false. */
  skipGoldenCheck?: boolean;
  /** batches on the way to one worker at a time; later steps gather into the next. Default 2. */
  maxInFlight?: number;
  /** where the worker bundle is (default: worker.js next to the runtime's bundle). */
  workerUrl?: string | URL;
  /** browsers: folder URL of onnxruntime-web's .wasm (default: next to the worker bundle). */
  wasmBase?: string;
}

export interface StreamHandle {
  readonly key: string;
  /** true after close() or the runtime's close(). */
  readonly closed: boolean;
  step(sample: Sample): Promise<Prediction>;
  /** many samples at once; uses the chunk graph. Returns one prediction per sample. */
  push(samples: Sample[]): Promise<Prediction[]>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export interface RuntimeStats {
  /** the backend actually in use (after any fallback). */
  backend: Backend;
  /** why the requested backend was not used, when it was not. */
  fallbackReason?: string;
  streams: number;
  steps: number;
  batches: number;
  /** samples refused before reaching a worker, and samples whose batch failed. */
  rejected: number;
  /** error code (see src/errors.ts) -> count. */
  rejectedByReason: Record<string, number>;
  /** per worker: what it holds and its own heap. */
  workers: Array<{ streams: number; steps: number; batches: number; chunkRuns: number; maxBatchSeen: number; heapUsed: number; onCallerThread: boolean }>;
}

/** What createRuntime returns. */
export interface Runtime {
  readonly modelId: string;
  /** the stream for `key`, opened (with the zero state) on first use. */
  stream(key: string): StreamHandle;
  /** the open stream for `key`; throws UnknownStreamError when there is none. */
  get(key: string): StreamHandle;
  has(key: string): boolean;
  /** keys of the open streams. */
  keys(): string[];
  /** the states of `keys` (default: every open stream) after their pending steps. */
  snapshot(keys?: string[]): Promise<Snapshot>;
  /** opens or overwrites the snapshot's streams; returns their keys. */
  restore(snapshot: Snapshot | Uint8Array): Promise<string[]>;
  stats(): Promise<RuntimeStats>;
  /** ends the workers (their wasm memory is only reclaimed that way). */
  close(): Promise<void>;
}

export interface Snapshot {
  modelId: string;
  formatVersion: number;
  bytes: Uint8Array;
}
