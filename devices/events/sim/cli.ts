// Command line of the simulator:
//   npx vite-node devices/events/sim/cli.ts dataset --out DIR [--sessions N] [--gestures-per-session K] [--seed S]
//   npx vite-node devices/events/sim/cli.ts live [--seed S] [--speed X] [--seconds T] [--mqtt URL --topic T]
// `dataset` writes AEDAT 3.1 + DVS128 Gesture-style label files; `live` streams events in real
// time, prints the event rate and the ground-truth gesture once per second and, with --mqtt,
// publishes every batch as an s7ev packet (devices/events/live/packet.ts) for `s7rt classify --live mqtt`.

import mqtt from 'mqtt';
import { parseArgs } from 'node:util';
import { MqttEventPublisher } from '../live/mqtt-events.js';
import { writeGestureDataset } from './dataset.js';
import { liveEvents } from './live.js';
import type { GestureLabel } from './simulate.js';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      out: { type: 'string' },
      sessions: { type: 'string', default: '10' },
      'gestures-per-session': { type: 'string', default: '14' },
      seed: { type: 'string', default: '1' },
      speed: { type: 'string', default: '1' },
      seconds: { type: 'string' },
      mqtt: { type: 'string' },
      topic: { type: 'string', default: 's7rt/events/sim' },
    },
  });
  const int = (name: string, v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`--${name}: "${v}" is not a number`);
    return n;
  };
  if (command === 'dataset') {
    if (!values.out) throw new Error('dataset: --out DIR is required');
    const summary = await writeGestureDataset(values.out, {
      sessions: int('sessions', values.sessions),
      count: int('gestures-per-session', values['gestures-per-session']),
      seed: int('seed', values.seed),
    });
    console.log(JSON.stringify({ out: values.out, files: summary.files.length, gestures: summary.gestures, events: summary.events }));
    return 0;
  }
  if (command === 'live') {
    let labels: GestureLabel[] = [];
    const durationUs = values.seconds === undefined ? undefined : int('seconds', values.seconds) * 1e6;
    let n = 0;
    let nextReport = 1e6;
    const client = values.mqtt ? await mqtt.connectAsync(values.mqtt, { reconnectPeriod: 0 }) : undefined;
    const publisher = client ? new MqttEventPublisher(client, values.topic!, { width: 128, height: 128 }) : undefined;
    const abort = new AbortController();
    process.once('SIGINT', () => abort.abort());
    try {
      for await (const b of liveEvents({ seed: int('seed', values.seed), speed: int('speed', values.speed), durationUs, signal: abort.signal, onLabels: (l) => (labels = l) })) {
        await publisher?.publish(b);
        n += b.length;
        const t = b.t[b.length - 1];
        if (t >= nextReport) {
          const now = labels.find((l) => t >= l.startUs && t <= l.endUs);
          console.log(`${(t / 1e6).toFixed(1)} s  ${n} events/s  ${now ? now.gesture : '-'}`);
          n = 0;
          nextReport += 1e6;
        }
      }
    } finally {
      await client?.endAsync();
    }
    return 0;
  }
  console.error('usage: cli.ts dataset --out DIR [--sessions N] [--gestures-per-session K] [--seed S] | live [--seed S] [--speed X] [--seconds T] [--mqtt URL [--topic T]]');
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
