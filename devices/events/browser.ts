// The browser-safe part of devices/events (no node:* imports): readers over bytes, Blobs/Files and
// web streams, encoders, slicers, the s7ev packet and the MQTT live source (mqtt.js over WebSocket).
// File paths, file writers and the TCP source are Node-only and live in devices/index.ts.

export type { EventBatch, SensorSize } from './types.js';
export * from './errors.js';
export * from './batch.js';
export type { ByteSource } from './io/byte-source.js';
export type { EventRecording, ReaderOptions, ReaderStats } from './recording.js';
export { encodeEvents, type EventEncoder } from './formats/encoder.js';
export { openAedat2, readAedat2 } from './formats/aedat2.js';
export { openAedat31, readAedat31 } from './formats/aedat31.js';
export { openAedat4, readAedat4 } from './formats/aedat4.js';
export { openEvt2, readEvt2 } from './formats/evt2.js';
export { openEvt3, readEvt3 } from './formats/evt3.js';
export { openDat, readDat } from './formats/dat.js';
export { openNmnist, readNmnist } from './formats/nmnist.js';
export { openEvents, sniffFormat, type OpenOptions, type RecordingFormat } from './open-events.js';
export { Aedat31Encoder } from './formats/aedat31-writer.js';
export { Evt2Encoder } from './formats/evt2-writer.js';
export * from './slice/index.js';
export { encodePacket, decodePacket, packetSize } from './live/packet.js';
export { fromMqttEvents, MqttEventPublisher } from './live/mqtt-events.js';
