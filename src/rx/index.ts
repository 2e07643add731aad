export { mapPredictions, OverloadError, type Failed, type MapPredictionsOptions, type Predicted } from './map-predictions.js';
export { chunkSamples, type ChunkOptions } from './chunk-samples.js';
export { evictIdle, closeStream, type EvictIdleOptions } from './evict-idle.js';
export { classifyEvents, type ClassifyEventsOptions, type EventPrediction } from './classify-events.js';
