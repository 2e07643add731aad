// Node entry points for EVT 2.0 RAW files.

import { createEventFileWriter, writeEventFile, type EventFileWriter } from '../io/file-writer.js';
import type { EventBatch, SensorSize } from '../types.js';
import { Evt2Encoder } from './evt2-writer.js';

export function createEvt2Writer(path: string, sensor: SensorSize): Promise<EventFileWriter> {
  return createEventFileWriter(path, new Evt2Encoder(sensor));
}

export function writeEvt2(path: string, batches: AsyncIterable<EventBatch> | Iterable<EventBatch>, sensor: SensorSize): Promise<number> {
  return writeEventFile(path, new Evt2Encoder(sensor), batches);
}
