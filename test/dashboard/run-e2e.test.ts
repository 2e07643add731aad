// End to end as a user runs it: `s7rt run` (startRun: embedded broker, MQTT service, Node runtime)
// with the simulated sensor fleet publishing devices/sensors/recordings.json, and the dashboard
// page connected to the embedded broker's WebSocket listener. Every device's card must show the
// prediction s7rt published last for it, and count every published prediction.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Prediction } from '../../src/api';
import { startRun, type Running } from '../../src/cli/run';
import { buildDashboard } from '../../src/dashboard/build.mjs';
import { type DashboardServer, startDashboardServer } from '../../src/dashboard/server';
import { loadRecordings } from '../../devices/sensors/recordings';
import { SensorFleet } from '../../devices/sensors/simulator';
import { type TestPage, launchChromium, openPage } from './browser';
import { waitConnected } from './harness';

const root = resolve(import.meta.dirname, '../..');
let running: Running;
let server: DashboardServer;
let browser: Browser;
let tp: TestPage;
let fleet: SensorFleet;
const published = new Map<string, { count: number; last: Prediction; seq: number }>();

beforeAll(async () => {
  await buildDashboard();
  running = await startRun({
    raw: { model: resolve(root, 'models/zoo/sensor-activity'), quiet: true, 'status-interval': '0' },
    print: () => {},
    events: {
      onPrediction: (device, sample, p) => {
        const prev = published.get(device);
        published.set(device, { count: (prev?.count ?? 0) + 1, last: p, seq: sample.seq });
      },
    },
  });
  server = await startDashboardServer({ brokerWsUrl: running.broker!.wsUrl });
  browser = await launchChromium();
  tp = await openPage(browser, server.url);
  await waitConnected(tp.page);
  fleet = new SensorFleet({ broker: running.brokerUrl, recordings: await loadRecordings(resolve(root, 'devices/sensors/recordings.json')), devices: 4, protocolVersion: 4 });
  await fleet.start();
  await new Promise((r) => setTimeout(r, 1500));
  await fleet.stop();
  // every sample the fleet sent has been predicted and published
  for (let i = 0; running.service.predictions < fleet.published && i < 300; i++) await new Promise((r) => setTimeout(r, 100));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await running?.stop();
});

describe('dashboard on `s7rt run` with simulated devices', () => {
  it('shows for every device the last prediction s7rt published, and all of them', async () => {
    expect(running.service.predictions).toBe(fleet.published);
    expect(published.size).toBe(4);
    const want = Object.fromEntries([...published].map(([d, p]) => [d, p.count]));
    await tp.page.waitForFunction(
      (want) => Object.entries(want).every(([d, n]) => (window as any).s7dashboard.streams.snapshot()[d]?.predictions === n),
      want,
      { timeout: 30_000 },
    );
    const snap = await tp.page.evaluate(() => (window as any).s7dashboard.streams.snapshot());
    for (const [device, p] of published) {
      expect(snap[device].lastSeq).toBe(p.seq);
      expect(snap[device].label).toBe(p.last.label);
      expect(snap[device].probability).toBeCloseTo(p.last.probability!, 12);
      for (const [label, v] of Object.entries(p.last.values)) expect(snap[device].values[label]).toBeCloseTo(v, 12);
      // the card's text follows on a later frame (a card is redrawn at most every 100 ms)
      await expect.poll(() => tp.page.getByLabel(`Prediction for ${device}`).textContent(), { timeout: 10_000 }).toBe(`${p.last.label} ${Math.round(p.last.probability! * 100)}%`);
    }
    expect(tp.errors).toEqual([]);
  });
});
