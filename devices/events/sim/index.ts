// Event camera simulator (ESIM/v2e-style pixel model over synthetic gesture scenes).

export { Rng } from '../../prng.js';
export { EventCamera, defaultCameraOptions, type CameraOptions } from './camera.js';
export { GESTURES, type Gesture, type HandMotion, type Background, sampleBackground, sampleMotion, blobCentres } from './scene.js';
export {
  planSession,
  renderSession,
  sessionLabels,
  simulateGesture,
  type SessionOptions,
  type SessionPlan,
  type GestureLabel,
} from './simulate.js';
export { writeGestureDataset, labelsCsv, type DatasetOptions, type DatasetSummary } from './dataset.js';
export { liveEvents, type LiveOptions } from './live.js';
