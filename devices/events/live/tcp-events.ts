// Node only: live events over a TCP socket, as length-prefixed s7ev packets (tcp-frames.ts). Cold:
// connects on subscribe, closes the socket on unsubscribe, completes when the peer ends the stream.
// A bad packet is counted and reported and the stream goes on; a broken framing or an end inside a
// frame is an EventFormatError with the stream offset (the events before it were delivered).

import { connect, type Socket } from 'node:net';
import { Observable } from 'rxjs';
import { EventFormatError } from '../errors.js';
import type { EventBatch, SensorSize } from '../types.js';
import { countPacket, newLiveStats, type LiveSourceOptions } from './live-stats.js';
import { decodePacket, encodePacket } from './packet.js';
import { encodeFrame, FrameDecoder } from './tcp-frames.js';

export function fromTcpEvents(address: { host: string; port: number }, options: LiveSourceOptions = {}): Observable<EventBatch> {
  return new Observable<EventBatch>((subscriber) => {
    const stats = options.stats ?? newLiveStats();
    const frames = new FrameDecoder();
    let last = -1;
    const socket = connect(address.port, address.host);
    socket.on('data', (chunk: Buffer) => {
      let packets: Uint8Array[];
      try {
        packets = frames.push(chunk);
      } catch (e) {
        socket.destroy();
        subscriber.error(e);
        return;
      }
      for (const bytes of packets) {
        let packet;
        try {
          packet = decodePacket(bytes);
        } catch (e) {
          stats.badPackets++;
          if (e instanceof EventFormatError) options.onBadPacket?.(e);
          continue;
        }
        last = countPacket(stats, packet, last);
        if (packet.events.length > 0) subscriber.next(packet.events);
      }
    });
    socket.on('end', () => {
      if (frames.pending > 0) subscriber.error(new EventFormatError('s7ev', frames.position, 'truncated', `stream ended inside a frame (${frames.pending} bytes)`));
      else subscriber.complete();
    });
    socket.on('error', (e) => subscriber.error(e));
    return () => {
      socket.destroy();
    };
  });
}

/** Writes batches to a socket as numbered, length-prefixed s7ev packets (the sending side). */
export class TcpEventWriter {
  private sequence = 0;

  constructor(
    private readonly socket: Socket,
    private readonly sensor: SensorSize,
  ) {}

  /** Resolves when the frame is handed to the OS (respects backpressure). */
  write(batch: EventBatch): Promise<void> {
    const frame = encodeFrame(encodePacket(batch, this.sensor, this.sequence));
    this.sequence = (this.sequence + 1) >>> 0;
    return new Promise((resolve, reject) => this.socket.write(frame, (e) => (e ? reject(e) : resolve())));
  }
}
