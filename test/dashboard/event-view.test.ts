// <s7-event-view> in the dashboard page: a real recording from ../shared/fixtures/events/ picked
// with the file button (and another dropped on the element) is read by the devices/ readers in
// the page and drawn as a decaying frame at the sensor's size.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPage } from './browser';
import { type Harness, startHarness } from './harness';

const fixtures = resolve(import.meta.dirname, '../../../shared/fixtures/events');
const screenshot = resolve(import.meta.dirname, '../../docs/dashboard-events.png');

let h: Harness;
let tp: TestPage;

const stats = () => tp.page.evaluate(() => (window as any).s7dashboard.events.stats);
const waitPlayed = () => tp.page.waitForFunction(() => {
  const s = (window as any).s7dashboard.events.stats;
  return !s.playing && (s.events > 0 || s.rejected > 0);
}, null, { timeout: 30_000 });

/** Pixels of a PNG (decoded by the browser itself) that are not the white background. */
async function inkedPixels(png: Buffer): Promise<{ width: number; height: number; inked: number }> {
  return tp.page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = new OffscreenCanvas(img.width, img.height);
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, img.width, img.height).data;
    let inked = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200) inked++;
    return { width: img.width, height: img.height, inked };
  }, png.toString('base64'));
}

beforeAll(async () => {
  h = await startHarness();
  tp = await h.open();
  await tp.page.waitForFunction(() => (window as any).s7dashboard?.events !== undefined);
}, 120_000);

afterAll(() => h?.close());

describe('event view', () => {
  it('renders a picked AEDAT 2.0 recording at its 240x180 sensor size, non-blank', async () => {
    await tp.page.getByLabel('Open an event recording').setInputFiles(resolve(fixtures, 'pyaedat-IMU_translBoxes.aedat'));
    await waitPlayed();
    const s = await stats();
    expect(s).toMatchObject({ width: 240, height: 180, events: 162_771, outside: 0, rejected: 0, source: 'pyaedat-IMU_translBoxes.aedat' });
    const canvas = tp.page.getByRole('img', { name: /^Event camera/ });
    expect(await canvas.evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([240, 180]);
    const box = (await canvas.boundingBox())!;
    expect(box.width / box.height).toBeCloseTo(240 / 180, 2);
    const png = await canvas.screenshot();
    const img = await inkedPixels(png);
    // the element's CSS box, to the device pixel (fractional layout sizes round either way)
    expect(Math.abs(img.width - box.width)).toBeLessThanOrEqual(1);
    expect(Math.abs(img.height - box.height)).toBeLessThanOrEqual(1);
    expect(img.inked).toBeGreaterThan(img.width * img.height * 0.005);
    await tp.page.locator('s7-event-view').screenshot({ path: screenshot });
  });

  it('plays a recording dropped on the element (N-MNIST, 34x34)', async () => {
    const bytes = readFileSync(resolve(fixtures, 'tonic-sample_nmnist.bin')).toString('base64');
    await tp.page.evaluate((b64) => {
      const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([data], 'tonic-sample_nmnist.bin'));
      document.querySelector('s7-event-view')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, bytes);
    await tp.page.waitForFunction(() => (window as any).s7dashboard.events.stats.source === 'tonic-sample_nmnist.bin');
    await waitPlayed();
    expect(await stats()).toMatchObject({ width: 34, height: 34, events: 4325, rejected: 0 });
  });

  it('shows and counts a file it cannot read, without breaking the page', async () => {
    await tp.page.getByLabel('Open an event recording').setInputFiles({ name: 'noise.bin', mimeType: 'application/octet-stream', buffer: Buffer.from('definitely not events') });
    await tp.page.waitForFunction(() => (window as any).s7dashboard.events.stats.rejected === 1);
    // N-MNIST by its extension: 4 whole 5-byte events, then a truncated one that is reported
    await tp.page.getByText(/1 rejected: noise\.bin: .*truncated/).waitFor();
    expect((await stats()).events).toBe(4);
  });

  it('logged no console errors, page errors or failed requests', () => {
    expect(tp.errors).toEqual([]);
  });
});

describe('event view with the gesture model', () => {
  it('classifies a played recording as `s7rt classify` does, and shows the simulated gesture', async () => {
    const { writeGestureDataset } = await import('../../devices/events/sim/index');
    const { GESTURES } = await import('../../devices/events/sim/scene');
    const { openEvents } = await import('../../devices/events/open-events');
    const { sliceEventsIterable } = await import('../../devices/events/slice/index');
    const { classifySlices } = await import('../../src/cli/classify');
    const { createRuntime, loadModel } = await import('../../src/index');
    const dir = mkdtempSync(join(tmpdir(), 's7rt-event-view-'));
    try {
      // one simulated gesture (AEDAT 3.1, ~1 s); the reference is the CLI's function in Node
      await writeGestureDataset(dir, { sessions: 1, count: 1, seed: 31337 });
      const file = join(dir, 'session000.aedat');
      const truth = GESTURES[Number(readFileSync(join(dir, 'session000_labels.csv'), 'utf8').split('\n')[1]!.split(',')[0]) - 1];
      const model = await loadModel(resolve(import.meta.dirname, '../../models/zoo/dvs-gesture-sim'));
      const rt = await createRuntime(model, { workers: 0 });
      const ref = await classifySlices(sliceEventsIterable(await openEvents(file), { events: 10_000 }), rt.stream('ref'), model.manifest);
      await rt.close();
      expect(ref.label).toBe(truth);

      await tp.page.getByLabel('Open an event recording').setInputFiles(file);
      await tp.page.waitForFunction(() => {
        const c = (window as any).s7dashboard.events.stats.classification;
        return c?.source === 'session000.aedat' && (c.done || c.error);
      }, null, { timeout: 60_000 });
      const c = (await stats()).classification;
      // the page slices by playback time (animation frames), the CLI by 10,000 events: chunk mode
      // makes the result independent of slicing; the page runs wasm, Node native
      expect(c).toMatchObject({ done: true, label: ref.label, events: ref.events, tokens: ref.tokens, outsideSensor: ref.outsideSensor });
      expect(c.error).toBeUndefined();
      expect(c.output).toHaveLength(ref.output.length);
      c.output.forEach((v: number, i: number) => expect(Math.abs(v - ref.output[i]!), `output[${i}]`).toBeLessThan(1e-4));
      await tp.page.getByLabel('Current gesture').getByText(`${ref.label} ${(ref.probability! * 100).toFixed(0)}%`).waitFor();
      await tp.page.getByText(`model: ${ref.tokens} tokens`).waitFor();
      expect(tp.errors).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('a model that cannot load is reported once, and the recording still plays', async () => {
    const bytes = readFileSync(resolve(fixtures, 'tonic-sample_nmnist.bin')).toString('base64');
    const before = await stats();
    await tp.page.evaluate(async (b64) => {
      const view = (window as any).s7dashboard.events;
      const working = view.loadGestureModel;
      // a fresh element state: the page's loader is swapped for one that fails, then put back
      view.gestureModel = undefined;
      view.loadGestureModel = () => Promise.reject(new Error('no model here'));
      const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      await view.openFile(new File([data], 'again.bin'), 'again.bin', 50);
      view.loadGestureModel = working;
    }, bytes);
    const s = await stats();
    expect(s).toMatchObject({ source: 'again.bin', events: 4325, playing: false, rejected: before.rejected + 1 });
    expect(s.classification).toMatchObject({ source: 'again.bin', done: true, error: 'no model here' });
    await tp.page.getByText(new RegExp(`${s.rejected} rejected: again\\.bin: gesture model: no model here`)).waitFor();
    // the failure is not kept: the next recording loads the model again and is classified
    await tp.page.evaluate(async (b64) => {
      const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      await (window as any).s7dashboard.events.openFile(new File([data], 'third.bin'), 'third.bin', 50);
    }, bytes);
    const t = await stats();
    expect(t.rejected).toBe(s.rejected);
    expect(t.classification).toMatchObject({ source: 'third.bin', done: true });
    expect(t.classification.error).toBeUndefined();
    expect(t.classification.tokens).toBeGreaterThan(0);
  });
});

describe('event view, live over MQTT', () => {
  it('draws s7ev packets from events/<camera> and shows that camera\'s gesture probabilities', async () => {
    const { encodePacket } = await import('../../devices/events/live/packet');
    const { makeBatch } = await import('../../devices/events/batch');
    const before = await stats();
    const n = 500;
    const events = makeBatch({
      x: Array.from({ length: n }, (_, i) => 20 + (i % 60)),
      y: Array.from({ length: n }, (_, i) => 30 + Math.floor(i / 60) * 4),
      t: Array.from({ length: n }, (_, i) => 1_000_000 + i * 10),
      p: Array.from({ length: n }, (_, i) => i % 2),
    });
    await h.broker.publisher.publishAsync('events/dvs-1', Buffer.from(encodePacket(events, { width: 128, height: 128 }, 0)));
    await tp.page.waitForFunction(() => (window as any).s7dashboard.events.stats.source === 'events/dvs-1');
    const s = await stats();
    expect(s).toMatchObject({ width: 128, height: 128, events: n, outside: 0, rejected: before.rejected });
    await h.broker.publisher.publishAsync('predictions/dvs-1', JSON.stringify({ device: 'dvs-1', seq: 0, label: 'hand_wave', probability: 0.7, values: { hand_clap: 0.1, hand_wave: 0.7, arm_roll: 0.2 } }));
    await tp.page.getByLabel('Current gesture').getByText('hand_wave 70%').waitFor();
    expect(await tp.page.getByRole('meter', { name: 'gesture hand_wave' }).evaluate((m: HTMLMeterElement) => m.value)).toBe(0.7);
    // a corrupt packet is counted with its topic, the view keeps its frame
    await h.broker.publisher.publishAsync('events/dvs-1', Buffer.from('S7EVnot a packet'));
    await tp.page.waitForFunction((r) => (window as any).s7dashboard.events.stats.rejected === r + 1, before.rejected);
    expect((await stats()).events).toBe(n);
    expect(tp.errors).toEqual([]);
  });
  it('shows a live camera classified by `s7rt classify --publish`: simulated camera -> broker -> s7rt -> page', async () => {
    const { execFile } = await import('node:child_process');
    const { MqttEventPublisher } = await import('../../devices/events/live/mqtt-events');
    const { liveEvents } = await import('../../devices/events/sim/index');
    const root = resolve(import.meta.dirname, '../..');
    const child = new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(
        process.execPath,
        [join(root, 'bin/s7rt.js'), 'classify', '--live', 'mqtt', '--broker', h.broker.wsUrl, '--topic', 'events/cam-9', '--publish', 'predictions/cam-9',
          '--seconds', '3', '--slice-us', '50000', '--every-us', '100000', '--json', '--quiet'],
        (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    const abort = new AbortController();
    void child.then(() => abort.abort());
    const camera = new MqttEventPublisher(h.broker.publisher, 'events/cam-9', { width: 128, height: 128 });
    // the command subscribes a moment after it starts; what it misses before is gone (QoS 0)
    for await (const b of liveEvents({ seed: 9, speed: 2, signal: abort.signal, durationUs: 60e6 })) await camera.publish(b);
    const out = await child;
    expect(out.code, out.stderr).toBe(0);
    const r = JSON.parse(out.stdout) as { label: string; probability: number };
    expect((await stats()).source).toBe('events/cam-9');
    // the last message the command published is its final result; the page shows it
    await tp.page.getByLabel('Current gesture').getByText(`${r.label} ${(r.probability * 100).toFixed(0)}%`).waitFor();
    expect(tp.errors).toEqual([]);
  }, 120_000);
});
