// `s7rt classify --live mqtt`: a simulated camera publishes s7ev packets to a real mosquitto broker,
// the command (a child process) classifies them until --seconds of event time have arrived.

import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MqttEventPublisher } from '../devices/events/live/mqtt-events.js';
import { liveEvents } from '../devices/events/sim/index.js';
import type { ClassifyResult } from '../src/cli/classify.js';
import { startMosquitto, type Mosquitto } from './mqtt/mosquitto.js';

const ROOT = resolve(import.meta.dirname, '..');
let broker: Mosquitto;

beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker?.dispose();
});

it('classifies simulated events arriving over MQTT, publishes its predictions, and stops after --seconds of event time', async () => {
  const topic = 's7rt/test/events/cam-7';
  // the camera's predictions, as the dashboard's event view would read them
  const watcher = await mqtt.connectAsync(broker.url);
  const predictions: Array<{ topic: string; json: Record<string, unknown>; raw: Buffer }> = [];
  watcher.on('message', (t, raw) => predictions.push({ topic: t, json: JSON.parse(raw.toString()), raw }));
  await watcher.subscribeAsync('predictions/+');
  const child = new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(
      process.execPath,
      [join(ROOT, 'bin/s7rt.js'), 'classify', '--live', 'mqtt', '--broker', broker.url, '--topic', topic, '--seconds', '1.5', '--slice-us', '50000',
        '--publish', 'predictions/cam-7', '--every-us', '100000', '--json', '--quiet'],
      (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
  let finished = false;
  void child.then(() => (finished = true));
  // publish until the command has what it needs (QoS 0: what it misses before subscribing is gone)
  const client = await mqtt.connectAsync(broker.url);
  const publisher = new MqttEventPublisher(client, topic, { width: 128, height: 128 });
  const abort = new AbortController();
  void child.then(() => abort.abort());
  let published = 0;
  for await (const b of liveEvents({ seed: 77, speed: 4, signal: abort.signal, durationUs: 60e6 })) {
    if (finished) break;
    await publisher.publish(b);
    published += b.length;
  }
  await client.endAsync();
  const out = await child;
  expect(out.code, out.stderr).toBe(0);
  const r = JSON.parse(out.stdout) as ClassifyResult;
  expect(r.events).toBeGreaterThan(1000);
  expect(r.events).toBeLessThanOrEqual(published);
  expect(r.durationUs).toBeGreaterThanOrEqual(1.5e6);
  expect(r.output.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  expect(['swipe_left', 'swipe_right', 'swipe_up', 'swipe_down', 'circle_cw', 'circle_ccw', 'clap']).toContain(r.label);

  // published: running predictions at most every 100 ms of event time, then the result, final
  await expect.poll(() => predictions.some((m) => m.json.final === true), { timeout: 10_000 }).toBe(true);
  await watcher.endAsync();
  expect(predictions.every((m) => m.topic === 'predictions/cam-7' && m.json.device === 'cam-7')).toBe(true);
  expect(predictions.map((m) => m.json.seq)).toEqual(predictions.map((_, i) => i));
  const running = predictions.slice(0, -1);
  expect(running.length).toBeGreaterThanOrEqual(5);
  const times = running.map((m) => m.json.eventTimeUs as number);
  for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(100_000);
  const final = predictions.at(-1)!.json;
  expect(final).toMatchObject({ final: true, label: r.label, events: r.events, tokens: r.tokens });
  expect(final.output).toEqual(r.output);
  // and the dashboard reads them
  const { parsePrediction } = await import('../src/dashboard/messages.js');
  for (const m of predictions) expect(parsePrediction('cam-7', m.topic, m.raw, 0).label).toBe(m.json.label);
}, 180_000);
