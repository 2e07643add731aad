// Public entry for devices: a plain list of re-exports.

export type { EventBatch, SensorSize } from './events/types.js';
export * from './events/errors.js';
export * from './events/batch.js';
export type { ByteSource } from './events/io/byte-source.js';
export type { EventRecording, ReaderOptions, ReaderStats } from './events/recording.js';
export type { EventFileWriter } from './events/io/file-writer.js';
export type { EventEncoder } from './events/formats/encoder.js';
export { encodeEvents } from './events/formats/encoder.js';
export { openAedat31, readAedat31 } from './events/formats/aedat31.js';
export { Aedat31Encoder, type Aedat31WriterOptions } from './events/formats/aedat31-writer.js';
export { createAedat31Writer, writeAedat31 } from './events/formats/aedat31-file.js';
