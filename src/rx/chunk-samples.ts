// Groups a sample stream into arrays by count and/or time: emits when `count` samples are
// gathered or `timeMs` passed since the chunk was started, whichever first; never emits an
// empty chunk; the last partial chunk is emitted on completion. For per-key chunks, use it
// inside groupBy.
import { bufferCount, bufferTime, filter, pipe, type OperatorFunction, type SchedulerLike } from 'rxjs';

export interface ChunkOptions {
  count?: number;
  timeMs?: number;
  scheduler?: SchedulerLike;
}

export function chunkSamples<T>(opts: ChunkOptions): OperatorFunction<T, T[]> {
  const { count, timeMs } = opts;
  if (count !== undefined && (!Number.isInteger(count) || count < 1)) throw new RangeError(`chunkSamples: count ${count} must be an integer >= 1`);
  if (timeMs !== undefined && !(timeMs > 0)) throw new RangeError(`chunkSamples: timeMs ${timeMs} must be > 0`);
  if (timeMs === undefined) {
    if (count === undefined) throw new RangeError('chunkSamples: give count, timeMs or both');
    return bufferCount<T>(count);
  }
  const time = opts.scheduler
    ? bufferTime<T>(timeMs, null, count ?? Infinity, opts.scheduler)
    : bufferTime<T>(timeMs, null, count ?? Infinity);
  return pipe(
    time,
    filter((chunk) => chunk.length > 0),
  );
}
