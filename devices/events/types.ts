// The one event representation shared by readers, writers, slicers, live sources and the simulator.

/** A batch of events as parallel typed arrays (struct of arrays), all of length `length`. */
export interface EventBatch {
  readonly length: number;
  /** pixel column, 0 <= x < width */
  readonly x: Uint16Array;
  /** pixel row, 0 <= y < height */
  readonly y: Uint16Array;
  /** timestamp in microseconds (float64 so that 64-bit recordings do not overflow) */
  readonly t: Float64Array;
  /** polarity: 1 = ON (brighter), 0 = OFF */
  readonly p: Uint8Array;
}

export interface SensorSize {
  readonly width: number;
  readonly height: number;
}
