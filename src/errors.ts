// One class per problem, each with a stable `code` (used as the key of stats.rejectedByReason)
// and the details a caller needs to find what was wrong and where.

export abstract class S7rtError extends Error {
  abstract readonly code: string;
  override get name(): string {
    return this.constructor.name;
  }
}

/** One problem found in manifest.json, named by its JSON path (e.g. `graphs.chunk.length`). */
export interface ManifestProblem {
  path: string;
  message: string;
}

export class ManifestError extends S7rtError {
  readonly code = 'manifest_invalid';
  constructor(
    readonly source: string,
    readonly problems: ManifestProblem[],
  ) {
    super(`${source}: invalid manifest: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  }
}

export class PackageFileError extends S7rtError {
  readonly code = 'package_file_unreadable';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`cannot read package file ${file}: ${reason}`);
  }
}

export class HashMismatchError extends S7rtError {
  readonly code = 'hash_mismatch';
  constructor(
    readonly file: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${file}: sha256 ${actual} does not match the manifest's ${expected}`);
  }
}

/** Where the largest golden-vector violation was found. */
export interface GoldenLocation {
  mode: 'step' | 'chunk';
  tensor: string;
  stream: number;
  step?: number;
  index: number;
  got: number;
  want: number;
}

export class GoldenMismatchError extends S7rtError {
  readonly code = 'golden_mismatch';
  constructor(
    readonly modelId: string,
    readonly maxAbsError: number,
    readonly where: GoldenLocation,
  ) {
    super(
      `${modelId}: golden check failed in ${where.mode} mode: max abs error ${maxAbsError.toExponential(3)} ` +
        `at ${where.tensor}[stream ${where.stream}${where.step === undefined ? '' : `, step ${where.step}`}, ${where.index}] ` +
        `(got ${where.got}, want ${where.want})`,
    );
  }
}

export class InputLengthError extends S7rtError {
  readonly code = 'input_length';
  constructor(
    readonly stream: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`stream ${stream}: input has ${actual} values, the model takes ${expected}`);
  }
}

export class NonFiniteInputError extends S7rtError {
  readonly code = 'non_finite';
  constructor(
    readonly stream: string,
    readonly field: string,
    readonly index: number,
    readonly value: number,
  ) {
    super(`stream ${stream}: ${field}[${index}] is ${value}`);
  }
}

export class InvalidTokenError extends S7rtError {
  readonly code = 'invalid_token';
  constructor(
    readonly stream: string,
    readonly token: unknown,
    readonly vocabulary: number,
  ) {
    super(`stream ${stream}: token ${String(token)} is not an integer in [0, ${vocabulary})`);
  }
}

export class InvalidDtError extends S7rtError {
  readonly code = 'invalid_dt';
  constructor(
    readonly stream: string,
    readonly dt: unknown,
  ) {
    super(`stream ${stream}: dt ${String(dt)} must be a finite number >= 0 for this time-aware model`);
  }
}

/** A problem with one sample inside push(samples): which one and why. */
export class SampleError extends S7rtError {
  readonly code: string;
  constructor(
    readonly index: number,
    override readonly cause: S7rtError,
  ) {
    super(`sample ${index}: ${cause.message}`);
    this.code = cause.code;
  }
}

export class UnknownStreamError extends S7rtError {
  readonly code = 'unknown_stream';
  constructor(readonly stream: string) {
    super(`stream ${stream} is not open`);
  }
}

export class StreamClosedError extends S7rtError {
  readonly code = 'stream_closed';
  constructor(readonly stream: string) {
    super(`stream ${stream} is closed`);
  }
}

export class RuntimeClosedError extends S7rtError {
  readonly code = 'runtime_closed';
  constructor() {
    super('the runtime is closed');
  }
}

export class SnapshotCorruptError extends S7rtError {
  readonly code = 'snapshot_corrupt';
  constructor(
    readonly reason: string,
    readonly offset?: number,
  ) {
    super(`corrupt snapshot: ${reason}${offset === undefined ? '' : ` (byte ${offset})`}`);
  }
}

export class SnapshotModelMismatchError extends S7rtError {
  readonly code = 'snapshot_model_mismatch';
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`snapshot is for model ${actual}, this runtime runs ${expected}`);
  }
}

/** The worker failed to run a batch (onnxruntime error) or died. */
export class InferenceError extends S7rtError {
  readonly code = 'inference_failed';
  constructor(readonly detail: string) {
    super(`inference failed: ${detail}`);
  }
}

/** mapPredictions refused a message: too many already waiting. */
export class OverloadError extends S7rtError {
  readonly code = 'overload';
  constructor(
    readonly stream: string,
    readonly queued: number,
  ) {
    super(`stream ${stream}: message refused, ${queued} messages already waiting (maxQueued)`);
  }
}
