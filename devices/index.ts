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
export { openAedat2, readAedat2, type Aedat2Layout, type Aedat2Options } from './events/formats/aedat2.js';
export { openAedat4, readAedat4, type Aedat4Options, type Aedat4Stream } from './events/formats/aedat4.js';
export { openEvt2, readEvt2 } from './events/formats/evt2.js';
export { openEvt3, readEvt3 } from './events/formats/evt3.js';
export { openDat, readDat } from './events/formats/dat.js';
export { openNmnist, readNmnist } from './events/formats/nmnist.js';
export { openEvents, sniffFormat, type OpenOptions, type RecordingFormat } from './events/open-events.js';
export { Evt2Encoder } from './events/formats/evt2-writer.js';
export { createEvt2Writer, writeEvt2 } from './events/formats/evt2-file.js';
export * from './events/slice/index.js';
export { encodePacket, decodePacket, packetSize, PACKET_MAGIC, PACKET_VERSION, type EventPacket } from './events/live/packet.js';
export { encodeFrame, FrameDecoder } from './events/live/tcp-frames.js';
export { newLiveStats, type LiveStats, type LiveSourceOptions } from './events/live/live-stats.js';
export { fromMqttEvents, MqttEventPublisher, type MqttEventsOptions } from './events/live/mqtt-events.js';
export { fromTcpEvents, TcpEventWriter } from './events/live/tcp-events.js';
export * from './events/sim/index.js';
