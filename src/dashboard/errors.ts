// Bad input never crashes the view: it becomes one of these, is counted by reason and shown.

export type RejectReason =
  | 'topic'        // topic does not match any subscribed pattern
  | 'json'         // payload is not JSON
  | 'shape'        // JSON of the wrong shape (missing or mistyped field)
  | 'size'         // vector of the wrong length for the device or model
  | 'range'        // event outside the sensor or non-finite number
  | 'inference'    // the runtime refused or failed a step
  | 'overload';    // browser-only mode: too many samples of a device wait for the worker

export class DashboardInputError extends Error {
  override readonly name = 'DashboardInputError';
  constructor(
    readonly reason: RejectReason,
    /** where: the MQTT topic, file name or element the bad input came from */
    readonly where: string,
    detail: string,
  ) {
    super(`${where}: ${detail}`);
  }
}

/** Counts rejections by reason and keeps the last few for display. */
export class RejectCounter {
  total = 0;
  readonly byReason: Partial<Record<RejectReason, number>> = {};
  readonly recent: DashboardInputError[] = [];

  add(error: DashboardInputError): void {
    this.total++;
    this.byReason[error.reason] = (this.byReason[error.reason] ?? 0) + 1;
    this.recent.unshift(error);
    if (this.recent.length > 5) this.recent.pop();
  }
}
