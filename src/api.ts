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

export type Backend = 'wasm' | 'webgpu';

export interface RuntimeOptions {
  /** preferred backend; falls back to wasm when unavailable. Default 'wasm'. */
  backend?: Backend;
  /** worker threads, each owning a shard of the streams. Default 1. */
  workers?: number;
  /** largest batch of streams run in one session.run. Default 256. */
  maxBatch?: number;
  /** skip the golden-vector check on load. Default false. */
  skipGoldenCheck?: boolean;
}

export interface StreamHandle {
  readonly key: string;
  step(sample: Sample): Promise<Prediction>;
  /** many samples at once; uses the chunk graph. Returns one prediction per sample. */
  push(samples: Sample[]): Promise<Prediction[]>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export interface RuntimeStats {
  backend: Backend;
  streams: number;
  steps: number;
  batches: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
}

export interface Snapshot {
  modelId: string;
  formatVersion: number;
  bytes: Uint8Array;
}
