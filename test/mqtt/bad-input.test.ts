// Bad payloads and a slow consumer, against real Mosquitto with the real runtime.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type LoadedModel, type Runtime } from '../../src/index';
import { encodeSample } from '../../src/mqtt/payload';
import { MqttService, defaultServiceOptions, type ServiceOptions } from '../../src/mqtt/service';
import { collect, compareWithDirect, connected, directOutputs, end, loadZoo, publishRange, signals } from './harness';
import { startMosquitto, type Mosquitto } from './mosquitto';

let model: LoadedModel;
let rt: Runtime;
let mosquitto: Mosquitto;

beforeAll(async () => {
  model = await loadZoo();
  rt = await createRuntime(model, { skipGoldenCheck: true });
  mosquitto = await startMosquitto();
});
afterAll(async () => {
  await rt?.close();
  await mosquitto?.dispose();
});

function service(over: Partial<ServiceOptions>): MqttService {
  return new MqttService(rt, { id: model.manifest.id, inputSize: model.manifest.input.size }, {
    ...defaultServiceOptions,
    broker: mosquitto.url,
    subscribe: ['sensors/+/imu'],
    publish: 'predictions/{device}',
    clientId: 's7rt-test',
    ...over,
  });
}

describe('bad payloads', () => {
  it('are dead-lettered with a reason and counted; good samples around them are unaffected', async () => {
    const N = 120;
    const good = [signals(0, N, 6)];
    const direct = await directOutputs(model, good);
    // '#' lets odd topic shapes reach s7rt, which must reject them by the device pattern
    const s = service({ subscribe: ['sensors/#'], devicePattern: 'sensors/{device}/imu', clientId: 's7rt-bad-input' });
    const sink = await collect(mosquitto.url, 'collector-bad-input');
    const pub = await connected(mosquitto.url, 'publisher-bad-input');
    try {
      await s.start();
      await publishRange(pub, good, 0, N / 2);
      const bad: Array<[string, Buffer | string, string]> = [
        ['sensors/bad-json/imu', '{"seq":0,"values":[1,2', 'malformed-json'],
        ['sensors/bad-length/imu', JSON.stringify({ seq: 0, values: [1, 2, 3] }), 'wrong-length'],
        ['sensors/bad-nan/imu', '{"seq":0,"values":[0.1,null,0.3,1,2,3]}', 'non-finite'],
        ['sensors/bad-nan-binary/imu', encodeSample('binary', { seq: 0, values: [0.1, Number.NaN, 0.3, 1, 2, 3] }), 'malformed-json'],
        ['sensors/x/y/imu', encodeSample('json', { seq: 0, values: [1, 2, 3, 4, 5, 6] }), 'topic-shape'],
        ['sensors/bad-huge/imu', Buffer.alloc(10 * 1024 * 1024, 0x5b), 'payload-too-large'],
      ];
      for (const [topic, payload] of bad) await pub.publishAsync(topic, payload, { qos: 1 });
      await publishRange(pub, good, N / 2, N);
      await sink.until((g) => g.unique() >= N && g.deadLetters.length >= bad.length);
      await new Promise((r) => setTimeout(r, 300));

      expect(sink.got.deadLetters.map((d) => [d.topic, d.reason])).toEqual(bad.map(([topic, , reason]) => [topic, reason]));
      const nan = sink.got.deadLetters.find((d) => d.topic === 'sensors/bad-nan/imu')!;
      expect(nan).toMatchObject({ where: 'values[1]', device: 'bad-nan' });
      const huge = sink.got.deadLetters.find((d) => d.reason === 'payload-too-large')!;
      expect(huge.bytes).toBe(10 * 1024 * 1024);
      expect((huge.payloadPrefix as string).length).toBeLessThan(400); // the 10 MB are not copied
      expect(s.rejected).toMatchObject({ 'malformed-json': 2, 'wrong-length': 1, 'non-finite': 1, 'topic-shape': 1, 'payload-too-large': 1 });
      const metrics = s.metrics();
      expect(metrics).toContain('s7rt_rejected_total{reason="payload-too-large"} 1');
      expect(metrics).toContain('s7rt_rejected_total{reason="malformed-json"} 2');

      // nothing else disturbed: the good device's predictions are exactly the direct run's
      expect(sink.got.predictions.size).toBe(1);
      compareWithDirect(sink.got, direct, N);
      expect(s.received).toBe(N + bad.length);
      expect(s.status().inflight).toBe(0); // every dead letter was acked too
    } finally {
      await s.stop();
      await end(pub);
      await end(sink.client);
    }
  }, 300_000);

  it('a sample from inside a gap that arrives after a newer one is dead-lettered as late, not passed off as a duplicate', async () => {
    const s = service({ clientId: 's7rt-late' });
    const sink = await collect(mosquitto.url, 'collector-late');
    const pub = await connected(mosquitto.url, 'publisher-late');
    const send = (seq: number) => pub.publishAsync('sensors/late-dev/imu', encodeSample('json', { seq, values: [0.1, 0.2, 0.9, 1, 2, 3] }), { qos: 1 });
    try {
      await s.start();
      for (const seq of [0, 1, 5]) await send(seq);
      await sink.until((g) => g.unique() >= 3);
      for (const seq of [3, 1]) await send(seq); // 3 was skipped (a gap), 1 was applied (a redelivery)
      await sink.until((g) => g.deadLetters.length >= 1);
      await new Promise((r) => setTimeout(r, 300));
      expect(sink.got.deadLetters).toHaveLength(1);
      expect(sink.got.deadLetters[0]).toMatchObject({ reason: 'late', where: 'seq', device: 'late-dev' });
      expect(sink.got.deadLetters[0]!.error).toMatch(/seq 3 arrived after seq 5/);
      expect([...sink.got.predictions.get('late-dev')!.keys()].sort()).toEqual([0, 1, 5]);
      expect(s.gapSamples).toBe(3);
      expect(s.duplicates).toBe(1);
      expect(s.rejected.late).toBe(1);
      expect(s.metrics()).toContain('s7rt_rejected_total{reason="late"} 1');
      expect(s.status().inflight).toBe(0);
    } finally {
      await s.stop();
      await end(pub);
      await end(sink.client);
    }
  }, 120_000);
});

describe('a slow consumer', () => {
  it('keeps memory bounded: in-flight samples never exceed --max-inflight while the broker holds the backlog', async () => {
    const DEVICES = 50;
    const N = 200;
    const MAX = 64;
    const data = Array.from({ length: DEVICES }, (_, d) => signals(d, N, 6));
    const s = service({ maxInflight: MAX, clientId: 's7rt-slow' });
    const sink = await collect(mosquitto.url, 'collector-slow');
    const pub = await connected(mosquitto.url, 'publisher-slow');
    let maxInflight = 0;
    let maxQueued = 0;
    let maxBacklog = 0;
    const heap0 = process.memoryUsage().heapUsed;
    let heapPeak = heap0;
    const probe = setInterval(() => {
      const st = s.status();
      maxInflight = Math.max(maxInflight, st.inflight);
      maxQueued = Math.max(maxQueued, st.maxLag);
      maxBacklog = Math.max(maxBacklog, DEVICES * N - st.received);
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }, 10);
    try {
      await s.start();
      // The runtime is far slower than this publisher: the backlog must wait at the broker.
      await publishRange(pub, data, 0, N, { window: 5000 });
      await sink.until((g) => g.unique() >= DEVICES * N, 600_000);
      expect(maxBacklog).toBeGreaterThan(10 * MAX);
      expect(maxInflight).toBeLessThanOrEqual(MAX);
      expect(maxQueued).toBeLessThanOrEqual(MAX);
      // 10,000 samples were buffered somewhere: not here (a generous bound on the heap)
      expect(heapPeak - heap0).toBeLessThan(64 * 1024 * 1024);
    } finally {
      clearInterval(probe);
      await s.stop();
      await end(pub);
      await end(sink.client);
    }
  }, 600_000);
});
