// Typed errors for event recordings: each names the format, the byte offset and what was wrong.

export type EventFormat = 'aedat2' | 'aedat31' | 'aedat4' | 'evt2' | 'evt3' | 'dat' | 'nmnist' | 's7ev';

export type EventFormatProblem = 'truncated' | 'corrupt' | 'unsupported' | 'unknown-format';

/** A recording could not be decoded past `offset`; the events before it were already delivered. */
export class EventFormatError extends Error {
  override readonly name = 'EventFormatError';
  constructor(
    readonly format: EventFormat | 'unknown',
    readonly offset: number,
    readonly problem: EventFormatProblem,
    readonly detail: string,
  ) {
    super(`${format}: ${problem} at byte ${offset}: ${detail}`);
  }
}

/** A writer was given events it cannot encode; `index` is the event's position in the written stream. */
export class EventWriteError extends Error {
  override readonly name = 'EventWriteError';
  constructor(
    readonly format: EventFormat,
    readonly index: number,
    readonly detail: string,
  ) {
    super(`${format} writer: event ${index}: ${detail}`);
  }
}
