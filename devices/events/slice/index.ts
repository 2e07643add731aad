// Slicers: one core (slicer.ts), RxJS operators and async iterators over it, and a bounded queue.
export { EventSlicer, SliceSpecError, type EventSlice, type SliceSpec } from './slicer.js';
export { sliceEvents, type SliceClockOptions } from './slice-events.js';
export { sliceEventsIterable, type SliceIterableOptions } from './slice-iterable.js';
export { sliceByCount } from './slice-by-count.js';
export { sliceByTime, type SliceByTimeOptions } from './slice-by-time.js';
export { toBoundedAsyncIterable, QueueOverflowError, type BoundedQueue, type OverflowPolicy } from './bounded-queue.js';
