// Live sources: the s7ev packet, TCP framing, and real transports (a private mosquitto broker on a
// free loopback port, a TCP server on 127.0.0.1), sliced by the same slicers as recordings.

import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import mqtt from 'mqtt';
import { firstValueFrom, take, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  concatBatches,
  decodePacket,
  encodeFrame,
  encodePacket,
  EventFormatError,
  FrameDecoder,
  fromMqttEvents,
  fromTcpEvents,
  MqttEventPublisher,
  newLiveStats,
  packetSize,
  sliceByCount,
  TcpEventWriter,
  type EventBatch,
} from '../../devices/index.js';
import { startMosquitto, type Mosquitto } from '../mqtt/mosquitto.js';
import { chunked, expectSameEvents, randomEvents } from './helpers.js';

const SENSOR = { width: 128, height: 128 };

describe('s7ev packet', () => {
  it('round-trips a batch and lays out the documented header', () => {
    const events = randomEvents(5, 128, 128, 4);
    const bytes = encodePacket(events, SENSOR, 41);
    expect(bytes.length).toBe(packetSize(5));
    expect(bytes.length).toBe(48 + 9 * 5); // header 24 + x,y 20 -> padded to 48
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('S7EV');
    const v = new DataView(bytes.buffer);
    expect([v.getUint8(4), v.getUint16(6, true), v.getUint16(8, true), v.getUint16(10, true), v.getUint32(12, true), v.getUint32(16, true)]).toEqual([1, 24, 128, 128, 41, 5]);
    expect(v.getUint16(24, true)).toBe(events.x[0]);
    expect(v.getFloat64(48, true)).toBe(events.t[0]);
    const packet = decodePacket(bytes);
    expect(packet.sensor).toEqual(SENSOR);
    expect(packet.sequence).toBe(41);
    expectSameEvents(packet.events, events);
  });

  it('refuses damaged packets with typed errors naming the offset', () => {
    const bytes = encodePacket(randomEvents(3, 128, 128), SENSOR, 0);
    const bad = bytes.slice();
    bad[0] = 0;
    expect(() => decodePacket(bad)).toThrow(expect.objectContaining({ problem: 'corrupt', offset: 0 }));
    expect(() => decodePacket(bytes.subarray(0, bytes.length - 1))).toThrow(expect.objectContaining({ problem: 'truncated' }));
    const outside = bytes.slice();
    new DataView(outside.buffer).setUint16(24 + 2, 500, true); // x of event 1
    expect(() => decodePacket(outside)).toThrow(expect.objectContaining({ name: 'EventFormatError', offset: 26 }));
  });
});

describe('TCP frames', () => {
  it('reassembles frames split at every byte', () => {
    const packets = [encodePacket(randomEvents(3, 128, 128, 1), SENSOR, 0), encodePacket(randomEvents(7, 128, 128, 2), SENSOR, 1)];
    const stream = Uint8Array.from([...encodeFrame(packets[0]), ...encodeFrame(packets[1])]);
    const decoder = new FrameDecoder();
    const frames = [];
    for (let i = 0; i < stream.length; i++) frames.push(...decoder.push(stream.subarray(i, i + 1)));
    expect(frames).toEqual(packets);
    expect(decoder.pending).toBe(0);
  });

  it('an impossible length is a typed error with the stream offset', () => {
    const decoder = new FrameDecoder();
    decoder.push(encodeFrame(encodePacket(randomEvents(2, 128, 128), SENSOR, 0)));
    expect(() => decoder.push(Uint8Array.from([0xff, 0xff, 0xff, 0xff]))).toThrow(expect.objectContaining({ problem: 'corrupt', offset: 4 + packetSize(2) }));
  });
});

describe('MQTT live source (mosquitto)', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto();
  }, 30_000);
  afterAll(async () => {
    await broker?.dispose();
  });

  it('delivers published batches; counts a lost sequence number and a bad packet', async () => {
    const events = randomEvents(1000, 128, 128, 8);
    const batches = chunked(events, 250);
    const stats = newLiveStats();
    const bad: EventFormatError[] = [];
    let subscribed!: () => void;
    const ready = new Promise<void>((resolve) => (subscribed = resolve));
    const received = firstValueFrom(
      fromMqttEvents(broker.url, 's7rt/events/cam0', { stats, qos: 1, onSubscribed: subscribed, onBadPacket: (e) => bad.push(e) }).pipe(take(3), toArray()),
    );
    await ready;
    const pub = await mqtt.connectAsync(broker.url);
    try {
      const send = (bytes: Uint8Array) => pub.publishAsync('s7rt/events/cam0', Buffer.from(bytes), { qos: 1 });
      await send(encodePacket(batches[0], SENSOR, 0));
      await send(Uint8Array.from([1, 2, 3])); // garbage
      await send(encodePacket(batches[1], SENSOR, 1));
      // sequence 2 never arrives
      await send(encodePacket(batches[3], SENSOR, 3));
      const got = await received;
      expectSameEvents(concatBatches(got), concatBatches([batches[0], batches[1], batches[3]]));
    } finally {
      await pub.endAsync();
    }
    expect(stats).toMatchObject({ packets: 3, events: 750, badPackets: 1, lostPackets: 1, reordered: 0, sensor: SENSOR });
    expect(bad[0]).toBeInstanceOf(EventFormatError);
    expect(bad[0].problem).toBe('truncated');
  }, 30_000);

  it('works with a client you own and the same slicers', async () => {
    const events = randomEvents(600, 128, 128, 9);
    const client = await mqtt.connectAsync(broker.url);
    try {
      let subscribed!: () => void;
      const ready = new Promise<void>((resolve) => (subscribed = resolve));
      const slices = firstValueFrom(fromMqttEvents(client, 'cam1', { onSubscribed: subscribed, qos: 1 }).pipe(sliceByCount(200), take(3), toArray()));
      await ready;
      const publisher = new MqttEventPublisher(client, 'cam1', SENSOR, 1);
      for (const b of chunked(events, 150)) await publisher.publish(b);
      const got = await slices;
      expect(got.map((s) => s.length)).toEqual([200, 200, 200]);
      expectSameEvents(concatBatches(got), events);
      expect(client.connected).toBe(true); // the source left the client's lifecycle to us
    } finally {
      await client.endAsync();
    }
  }, 30_000);
});

describe('MQTT live source: broker goes away', () => {
  it('a URL source without reconnection ends with an error when the broker stops', async () => {
    const own = await startMosquitto();
    try {
      let subscribed!: () => void;
      const ready = new Promise<void>((resolve) => (subscribed = resolve));
      const ended = new Promise<unknown>((resolve) => {
        fromMqttEvents(own.url, 'cam', { onSubscribed: subscribed }).subscribe({ error: resolve, complete: () => resolve('completed') });
      });
      await ready;
      await own.stop();
      expect(String(await ended)).toMatch(/connection to mqtt:\/\/127\.0\.0\.1:\d+ closed/);
    } finally {
      await own.dispose();
    }
  }, 30_000);
});

describe('TCP live source (127.0.0.1)', () => {
  async function serve(onConnection: (socket: import('node:net').Socket) => Promise<void>): Promise<Server> {
    const server = createServer((socket) => {
      void onConnection(socket).catch(() => socket.destroy());
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return server;
  }

  it('delivers framed batches in order, skips a bad packet, completes when the peer ends', async () => {
    const events = randomEvents(3000, 128, 128, 12);
    const server = await serve(async (socket) => {
      const writer = new TcpEventWriter(socket, SENSOR);
      const parts = chunked(events, 1000);
      await writer.write(parts[0]);
      socket.write(encodeFrame(Uint8Array.from([9, 9, 9, 9, 9]))); // not a packet
      await writer.write(parts[1]);
      await writer.write(parts[2]);
      socket.end();
    });
    try {
      const stats = newLiveStats();
      const { port } = server.address() as AddressInfo;
      const slices = await firstValueFrom(fromTcpEvents({ host: '127.0.0.1', port }, { stats }).pipe(sliceByCount(700), toArray()));
      expect(slices.map((s) => s.length)).toEqual([700, 700, 700, 700, 200]);
      expectSameEvents(concatBatches(slices), events);
      expect(stats).toMatchObject({ packets: 3, badPackets: 1, lostPackets: 0 });
    } finally {
      server.close();
    }
  });

  it('a stream that ends inside a frame: events before it, then a typed error', async () => {
    const events = randomEvents(100, 128, 128, 13);
    const server = await serve(async (socket) => {
      await new TcpEventWriter(socket, SENSOR).write(events);
      const frame = encodeFrame(encodePacket(events, SENSOR, 1));
      socket.end(frame.subarray(0, 30));
    });
    try {
      const { port } = server.address() as AddressInfo;
      const got: EventBatch[] = [];
      const error = await new Promise<unknown>((resolve) => {
        fromTcpEvents({ host: '127.0.0.1', port }).subscribe({ next: (b) => got.push(b), error: resolve, complete: () => resolve(undefined) });
      });
      expectSameEvents(concatBatches(got), events);
      expect(error).toBeInstanceOf(EventFormatError);
      expect(error).toMatchObject({ problem: 'truncated', offset: 4 + packetSize(100) });
    } finally {
      server.close();
    }
  });
});
