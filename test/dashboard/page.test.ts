// The dashboard page in Debian's chromium, connected over WebSocket to a real broker on which
// simulated devices publish samples and the Node runtime's predictions are published the way
// `s7rt run` publishes them. What the page shows must equal what was published.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, loadModel, type Runtime } from '../../src/index';
import type { TestPage } from './browser';
import { type Harness, simulatedSample, startHarness, waitConnected } from './harness';

const devices = ['imu-0', 'imu-1', 'imu-2'];
// docs/dashboard-streams.png and -phone.png change with every run (latencies, times): refreshed on request
const refreshDocs = process.env.S7RT_DOC_SCREENSHOTS === '1';
const steps = 40;

interface Published {
  seq: number;
  label?: string;
  probability?: number;
  values: Record<string, number>;
}

let h: Harness;
let rt: Runtime;
let tp: TestPage;
const last = new Map<string, Published>();

beforeAll(async () => {
  h = await startHarness();
  rt = await createRuntime(await loadModel(resolve(import.meta.dirname, '../../models/zoo/sensor-activity')));
  tp = await h.open();
  await waitConnected(tp.page);
  // 50 Hz per device: sample first, then the prediction for it (same shape as s7rt's payloads)
  for (let seq = 0; seq < steps; seq++) {
    await Promise.all(
      devices.map(async (device, d) => {
        const values = simulatedSample(d, seq);
        await h.broker.publisher.publishAsync(`sensors/${device}/imu`, JSON.stringify({ seq, t: Date.now(), values }));
        const p = await rt.stream(device).step({ values });
        const payload = { device, seq, label: p.label, probability: p.probability, values: p.values, output: Array.from(p.output) };
        last.set(device, JSON.parse(JSON.stringify(payload)) as Published);
        await h.broker.publisher.publishAsync(`predictions/${device}`, JSON.stringify(payload));
      }),
    );
    await new Promise((r) => setTimeout(r, 20));
  }
  await tp.page.waitForFunction(
    ({ devices, steps }) => {
      const snap = (window as any).s7dashboard.streams.snapshot();
      return devices.every((d: string) => snap[d]?.predictions === steps && snap[d]?.samples === steps);
    },
    { devices, steps },
    { timeout: 30_000 },
  );
}, 120_000);

afterAll(async () => {
  await rt?.close();
  await h?.close();
});

describe('dashboard page, predictions from the broker', () => {
  it('shows, per device, exactly the prediction that was published last', async () => {
    const snap = await tp.page.evaluate(() => (window as any).s7dashboard.streams.snapshot());
    for (const device of devices) {
      const want = last.get(device)!;
      expect(snap[device].lastSeq).toBe(steps - 1);
      expect(snap[device].label).toBe(want.label);
      expect(snap[device].probability).toBe(want.probability);
      expect(snap[device].values).toEqual(want.values);
      expect(snap[device].latencyMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('renders the prediction, class meters and charts in the DOM, named for assistive technology', async () => {
    const { page } = tp;
    // The DOM is written on animation frames, a card at most every 100 ms and a few cards per
    // frame: wait until each card shows the last published prediction, then check all of it.
    for (const device of devices) {
      const want = last.get(device)!;
      const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: device, exact: true }) });
      await expect.poll(() => card.getByLabel(`Prediction for ${device}`).textContent(), { timeout: 10_000 }).toBe(`${want.label} ${Math.round(want.probability! * 100)}%`);
      for (const [label, value] of Object.entries(want.values)) {
        const meter = page.getByRole('meter', { name: `${device} ${label}`, exact: true });
        expect(Number(await meter.evaluate((m: HTMLMeterElement) => m.value))).toBeCloseTo(value, 12);
      }
      expect(await card.getByRole('img', { name: `Incoming signal of ${device}` }).locator('canvas').count()).toBeGreaterThan(0);
      expect(await card.getByRole('img', { name: `Class probabilities over time for ${device}` }).locator('canvas').count()).toBeGreaterThan(0);
      await expect(card.getByLabel(`Latency for ${device}`).textContent()).resolves.toMatch(/^latency \d+\.\d ms$/);
    }
    if (refreshDocs) await page.locator('#streams').screenshot({ path: resolve(import.meta.dirname, '../../docs/dashboard-streams.png') });
  });

  it('counts and shows a malformed message without losing the stream', async () => {
    await h.broker.publisher.publishAsync('sensors/imu-0/imu', '{"seq": 1, "values": "broken"');
    await h.broker.publisher.publishAsync('sensors/imu-0/imu', JSON.stringify({ seq: steps, t: 0, values: simulatedSample(0, steps) }));
    await tp.page.waitForFunction(() => (window as any).s7dashboard.streams.snapshot()['imu-0'].samples === 41);
    const stats = await tp.page.evaluate(() => (window as any).s7dashboard.streams.stats);
    expect(stats.rejected).toBe(1);
    expect(stats.rejectedByReason).toEqual({ json: 1 });
    await expect.poll(() => tp.page.getByRole('list', { name: 'Rejected messages' }).textContent(), { timeout: 10_000 }).toContain('sensors/imu-0/imu: payload is not JSON');
  });

  it('fits a phone screen without horizontal scrolling', async () => {
    const phone = await h.open('', { width: 390, height: 844 });
    await waitConnected(phone.page);
    for (let seq = 0; seq < 50; seq++) {
      const values = simulatedSample(4, seq);
      await h.broker.publisher.publishAsync('sensors/phone-imu/imu', JSON.stringify({ seq, t: Date.now(), values }));
      const p = await rt.stream('phone-imu').step({ values });
      await h.broker.publisher.publishAsync('predictions/phone-imu', JSON.stringify({ device: 'phone-imu', seq, label: p.label, probability: p.probability, values: p.values }));
    }
    await phone.page.waitForFunction(() => (window as any).s7dashboard.streams.snapshot()['phone-imu']?.predictions === 50);
    const frames = await phone.page.evaluate(() => (window as any).s7dashboard.streams.stats.frames);
    await phone.page.waitForFunction((f) => (window as any).s7dashboard.streams.stats.frames > f + 1, frames);
    const widths = await phone.page.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: innerWidth }));
    expect(widths.doc).toBeLessThanOrEqual(widths.view);
    if (refreshDocs) await phone.page.screenshot({ path: resolve(import.meta.dirname, '../../docs/dashboard-phone.png') });
    expect(phone.errors).toEqual([]);
    await phone.context.close();
  });

  it('logged no console errors, page errors or failed requests', () => {
    expect(tp.errors).toEqual([]);
  });
});
