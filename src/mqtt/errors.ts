// Typed rejections: every bad input names what was wrong (reason) and where (topic, device, field).

export type RejectReason =
  | 'payload-too-large'
  | 'malformed-json'
  | 'bad-shape'
  | 'wrong-length'
  | 'non-finite'
  | 'bad-seq'
  | 'late'
  | 'topic-shape'
  | 'runtime-error';

export const rejectReasons: readonly RejectReason[] = [
  'payload-too-large',
  'malformed-json',
  'bad-shape',
  'wrong-length',
  'non-finite',
  'bad-seq',
  'late',
  'topic-shape',
  'runtime-error',
];

/** A sample that cannot be applied; it is dead-lettered with `reason` and `detail`. */
export class PayloadError extends Error {
  override readonly name = 'PayloadError';
  constructor(
    readonly reason: RejectReason,
    /** where: the field or byte range that was wrong, e.g. `values[3]` */
    readonly where: string,
    detail: string,
  ) {
    super(`${reason} at ${where}: ${detail}`);
  }
}

/** A command line or config file that cannot be used. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly option: string,
    detail: string,
  ) {
    super(`${option}: ${detail}`);
  }
}
