// The embeddable dashboard component: import this module, then use <s7-stream-view> (and
// <s7-event-view>) in HTML, or the classes directly.
import { defineEventView } from './event-view.js';
import { defineStreamView } from './stream-view.js';

export { S7StreamView, defineStreamView, type StreamViewStats, type WorkerRuntime } from './stream-view.js';
export { S7EventView, defineEventView, type EventViewStats, type RecordingLike } from './event-view.js';
export { DecayFrame } from './decay-frame.js';
export type { DeviceSnapshot } from './device-state.js';
export { DashboardInputError, type RejectReason } from './errors.js';
export { defaultTopics, type TopicPatterns } from './messages.js';

/** Registers every dashboard element (idempotent). */
export function defineElements(): void {
  defineStreamView();
  defineEventView();
}

defineElements();
