// The broker side of MQTT over WebSocket for browsers: a stream for aedes.handle() that sends
// everything the broker writes within one turn of the event loop (setImmediate) as ONE WebSocket
// message. aedes writes a PUBLISH in several pieces, and ws' own stream sends each piece as a
// message: several WebSocket messages per MQTT message, each a task for the browser; with 10 devices
// bursting, the page's worker spent ~40x the CPU per MQTT message (bench/dashboard/
// message-cost-bench.ts). MQTT over WebSocket allows packets to span and share WebSocket messages.
import { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

/** bytes queued in the socket beyond which writes wait for the send (backpressure to aedes) */
const highWater = 1 << 20;

export function mqttWebSocketStream(ws: WebSocket): Duplex {
  let queue: Buffer[] = [];
  let waiting: ((error?: Error | null) => void)[] = [];
  const flush = () => {
    const data = queue.length === 1 ? queue[0] : Buffer.concat(queue);
    const callbacks = waiting;
    queue = [];
    waiting = [];
    const done = (error?: Error | null) => callbacks.forEach((cb) => cb(error));
    if (ws.readyState !== ws.OPEN) return done(new Error('WebSocket closed'));
    ws.send(data, done);
  };
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, cb) {
      // the rest of this turn's writes (other clients' publishes routed meanwhile too) join it
      if (queue.push(chunk) === 1) setImmediate(flush);
      if (ws.bufferedAmount > highWater) waiting.push(cb);
      else cb();
    },
    final(cb) {
      ws.close();
      cb();
    },
    destroy(error, cb) {
      if (ws.readyState !== ws.CLOSED) ws.terminate();
      cb(error);
    },
  });
  ws.on('message', (data: Buffer) => stream.push(data));
  ws.on('close', () => {
    stream.push(null);
    stream.destroy();
  });
  ws.on('error', (e) => stream.destroy(e));
  return stream;
}
