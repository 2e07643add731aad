// The page under a burst, in chromium: the feed worker reads every MQTT message, the main thread
// gets at most one message per frame interval (30 Hz), and what it shows is what was published last.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameInterval } from '../../src/dashboard/feed/protocol';
import type { TestPage } from './browser';
import { type Harness, simulatedSample, startHarness, waitConnected } from './harness';

const devices = 20;
const steps = 50;
let h: Harness;
let tp: TestPage;

beforeAll(async () => {
  h = await startHarness();
  tp = await h.open();
  await waitConnected(tp.page);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('feed worker under a burst', () => {
  it('posts the main thread far fewer messages than MQTT delivers, and shows the last published values', async () => {
    const { page } = tp;
    const before = await page.evaluate(() => ({ ...(window as any).s7dashboard.streams.stats, at: performance.now() }));
    const last = new Map<string, Record<string, number>>();
    const sends: Promise<unknown>[] = [];
    for (let seq = 0; seq < steps; seq++) {
      for (let d = 0; d < devices; d++) {
        const device = `burst-${d}`;
        const values = { a: (seq + d) / 100, b: 1 - (seq + d) / 100 };
        last.set(device, values);
        sends.push(h.broker.publisher.publishAsync(`sensors/${device}/imu`, JSON.stringify({ seq, t: seq * 20, values: simulatedSample(d, seq) })));
        sends.push(h.broker.publisher.publishAsync(`predictions/${device}`, JSON.stringify({ device, seq, values })));
      }
    }
    await Promise.all(sends);
    const total = devices * steps * 2;
    await page.waitForFunction(
      ({ m0, total, devices, steps }) => {
        const streams = (window as any).s7dashboard.streams;
        const snap = streams.snapshot();
        return streams.stats.messages - m0 >= total && Array.from({ length: devices }, (_, d) => snap[`burst-${d}`]?.predictions === steps).every(Boolean);
      },
      { m0: before.messages, total, devices, steps },
      { timeout: 60_000 },
    );
    const after = await page.evaluate(() => ({ stats: (window as any).s7dashboard.streams.stats, at: performance.now(), snap: (window as any).s7dashboard.streams.snapshot() }));
    const received = after.stats.messages - before.messages;
    const posted = after.stats.feedMessages - before.feedMessages;
    expect(received).toBe(total);
    // at most one frame per frameInterval (30 Hz; +1: a frame already on its way when counting began)
    expect(posted).toBeLessThanOrEqual((after.at - before.at) / frameInterval + 1);
    // one message per MQTT message would be 2,000; the burst arrives over a few seconds of frames
    expect(posted * 4).toBeLessThan(received);
    for (const [device, values] of last) {
      expect(after.snap[device]).toMatchObject({ samples: steps, predictions: steps, lastSeq: steps - 1, values });
    }
    expect(after.stats.rejected).toBe(0);
    expect(tp.errors).toEqual([]);
  });

  it('posts nothing while the page is hidden, and everything it kept once it shows again', async () => {
    const { page } = tp;
    const setHidden = (hidden: boolean) =>
      page.evaluate((hidden) => {
        Object.defineProperty(document, 'hidden', { value: hidden, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    await setHidden(true);
    await new Promise((r) => setTimeout(r, 200)); // a frame already on its way may still land
    const before = await page.evaluate(() => (window as any).s7dashboard.streams.stats);
    for (let seq = 0; seq < 30; seq++) await h.broker.publisher.publishAsync('sensors/hidden-0/imu', JSON.stringify({ seq, t: seq * 20, values: simulatedSample(0, seq) }));
    await new Promise((r) => setTimeout(r, 500));
    const hidden = await page.evaluate(() => ({ stats: (window as any).s7dashboard.streams.stats, snap: (window as any).s7dashboard.streams.snapshot() }));
    expect(hidden.stats.feedMessages).toBe(before.feedMessages);
    expect(hidden.snap['hidden-0']).toBeUndefined();
    await setHidden(false);
    await page.waitForFunction(() => (window as any).s7dashboard.streams.snapshot()['hidden-0']?.samples === 30, null, { timeout: 10_000 });
    expect(tp.errors).toEqual([]);
  });
});
