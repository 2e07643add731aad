// The feed worker's logic in Node (feed/feed.ts): many messages become one frame with only the
// devices that changed; chart windows go only to devices on screen; bad messages are reported once.
import { describe, expect, it } from 'vitest';
import { Feed, maxForwarded } from '../../src/dashboard/feed/feed';
import { unpack } from '../../src/dashboard/series-window';

const enc = new TextEncoder();
const sample = (seq: number) => enc.encode(JSON.stringify({ seq, t: seq * 20, values: [seq, -seq, 1] }));
const prediction = (seq: number) => enc.encode(JSON.stringify({ seq, label: 'b', probability: 0.75, values: { a: 0.25, b: 0.75 } }));

describe('Feed', () => {
  it('folds a burst into one frame: only changed devices, charts only for visible ones', () => {
    const feed = new Feed();
    feed.setVisible('d1', true);
    for (let seq = 0; seq < 100; seq++) {
      for (const d of ['d0', 'd1', 'd2']) {
        feed.receive(`sensors/${d}/imu`, sample(seq), seq * 20);
        feed.receive(`predictions/${d}`, prediction(seq), seq * 20 + 5);
      }
    }
    const { frame, transfer } = feed.frame(2000);
    expect(frame.messages).toBe(600);
    expect(frame.devices).toBe(3);
    expect(frame.updates.map((u) => u.device)).toEqual(['d0', 'd1', 'd2']);
    const d1 = frame.updates[1];
    expect(d1.snapshot).toMatchObject({ samples: 100, predictions: 100, lastSeq: 99, label: 'b', probability: 0.75, values: { a: 0.25, b: 0.75 }, latencyMs: 5 });
    const signal = unpack(d1.signal!);
    expect(signal).toHaveLength(4); // time + 3 channels
    expect([...signal[1]].slice(-2)).toEqual([98, 99]);
    expect(d1.probabilities!.rows).toBe(100);
    // hidden devices: text data, no chart windows; the charts' buffers go as transferables
    expect(frame.updates[0].signal).toBeUndefined();
    expect(frame.updates[2].probabilities).toBeUndefined();
    expect(transfer).toEqual([d1.signal!.data.buffer, d1.probabilities!.data.buffer]);

    // nothing new: nothing sent (same instant, so rates did not move either)
    expect(feed.frame(2000).frame.updates).toEqual([]);
    // one device moves: only it is sent
    feed.receive('sensors/d2/imu', sample(100), 2000);
    expect(feed.frame(2000).frame.updates.map((u) => u.device)).toEqual(['d2']);
    // a card scrolls into view: its charts are sent although its data did not change
    feed.setVisible('d0', true);
    const shown = feed.frame(2000).frame.updates;
    expect(shown.map((u) => u.device)).toEqual(['d0']);
    expect(shown[0].signal?.rows).toBe(100);
    // messages stopped: every device is sent again once, its rates fallen to zero
    const later = feed.frame(5000).frame.updates;
    expect(later.map((u) => [u.device, u.snapshot.samplesPerSecond])).toEqual([['d0', 0], ['d1', 0], ['d2', 0]]);
    expect(feed.frame(5000).frame.updates).toEqual([]);
  });

  it('reports each bad message once, with reason and topic', () => {
    const feed = new Feed();
    feed.receive('sensors/d0/imu', enc.encode('{"seq": 1'), 0);
    feed.receive('elsewhere/x', sample(0), 0);
    const { frame } = feed.frame(10);
    expect(frame.rejected).toEqual([
      { reason: 'json', where: 'sensors/d0/imu', detail: 'payload is not JSON: {"seq": 1' },
      { reason: 'topic', where: 'elsewhere/x', detail: 'matches neither "sensors/+/imu" nor "predictions/+"' },
    ]);
    expect(frame.messages).toBe(2);
    expect(feed.frame(20).frame.rejected).toEqual([]);
  });

  it('useLocalRuntime: hands samples to the page in frames, and refuses them as overload beyond maxForwarded', () => {
    const feed = new Feed();
    feed.forwardSamples();
    for (let seq = 0; seq < maxForwarded + 2; seq++) feed.receive('sensors/d0/imu', sample(seq), seq);
    const { frame } = feed.frame(1e6);
    expect(frame.samples!.map((m) => m.seq)).toEqual(Array.from({ length: maxForwarded }, (_, i) => i));
    expect(frame.rejected.map((r) => [r.reason, r.where])).toEqual([['overload', `device d0 seq ${maxForwarded}`], ['overload', `device d0 seq ${maxForwarded + 1}`]]);
    feed.receive('sensors/d0/imu', sample(9), 1e6);
    expect(feed.frame(1e6).frame.samples!.map((m) => m.seq)).toEqual([9]);
  });
});
