import { describe, expect, it } from 'vitest';
import { DeviceState, windowRows } from '../../src/dashboard/device-state';
import type { PredictionMessage, SensorSampleMessage } from '../../src/dashboard/messages';
import { RateMeter } from '../../src/dashboard/rate-meter';
import { SeriesWindow, unpack } from '../../src/dashboard/series-window';

const sample = (seq: number, at: number, values = [seq, -seq]): SensorSampleMessage => ({ kind: 'sample', device: 'd', seq, t: at, values, receivedAt: at });
const prediction = (seq: number | undefined, at: number, values: Record<string, number>, label?: string): PredictionMessage => ({ kind: 'prediction', device: 'd', seq, values, label, receivedAt: at });

describe('SeriesWindow', () => {
  it('keeps the newest rows, oldest first', () => {
    const w = new SeriesWindow(2, 3);
    for (let i = 0; i < 5; i++) w.push([i, i * 10]);
    expect(w.length).toBe(3);
    expect(unpack(w.pack()).map((c) => [...c])).toEqual([[2, 3, 4], [20, 30, 40]]);
    expect(w.last()).toEqual([4, 40]);
  });
});

describe('RateMeter', () => {
  it('counts messages in the last second', () => {
    const r = new RateMeter(1000);
    for (let t = 0; t < 2000; t += 20) r.add(t); // 50 Hz for 2 s
    expect(r.rate(1980)).toBe(50);
    expect(r.rate(3000)).toBe(0);
  });
});

describe('DeviceState', () => {
  it('measures latency from a sample to the prediction with the same seq', () => {
    const s = new DeviceState('d');
    s.addSample(sample(1, 100));
    s.addSample(sample(2, 120));
    s.addPrediction(prediction(1, 103.5, { a: 0.9, b: 0.1 }));
    s.addPrediction(prediction(2, 130, { a: 0.2, b: 0.8 }));
    const snap = s.snapshot(130);
    expect(snap.latencyMs).toBe(10);
    expect(snap.meanLatencyMs).toBeCloseTo(6.75);
    expect(snap.samples).toBe(2);
    expect(snap.predictions).toBe(2);
  });

  it('shows the published label, else the arg-max, and its probability', () => {
    const s = new DeviceState('d');
    s.addPrediction(prediction(undefined, 1, { still: 0.2, walk: 0.5, run: 0.3 }));
    expect(s.snapshot(1)).toMatchObject({ label: 'walk', probability: 0.5, latencyMs: undefined });
    s.addPrediction(prediction(undefined, 2, { still: 0.6, walk: 0.4, run: 0 }, 'still'));
    expect(s.snapshot(2)).toMatchObject({ label: 'still', probability: 0.6 });
  });

  it('keeps a bounded window of signal and probabilities for the charts', () => {
    const s = new DeviceState('d');
    for (let i = 0; i < windowRows + 10; i++) {
      s.addSample(sample(i, i * 20));
      s.addPrediction(prediction(i, i * 20 + 1, { a: i % 2, b: 1 - (i % 2) }));
    }
    const cols = unpack(s.signal!.pack());
    expect(cols).toHaveLength(3); // time + 2 channels
    expect(cols[0]).toHaveLength(windowRows);
    expect(cols[1][windowRows - 1]).toBe(windowRows + 9);
    expect(unpack(s.probabilities!.pack())).toHaveLength(3);
    expect(s.labels).toEqual(['a', 'b']);
  });
});
