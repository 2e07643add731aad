// 100 devices × 1,000 samples through real Mosquitto and through the embedded aedes broker, with
// the real runtime and the zoo model: exactly 100,000 predictions, each equal to the runtime's
// direct result for that device.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type LoadedModel, type Runtime } from '../../src/index';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/mqtt/embedded-broker';
import { MqttService, defaultServiceOptions } from '../../src/mqtt/service';
import { collect, compareWithDirect, connected, directOutputs, end, loadZoo, publishRange, signals } from './harness';
import { startMosquitto, type Mosquitto } from './mosquitto';

const DEVICES = Number(process.env.E2E_DEVICES ?? 100);
const SAMPLES = Number(process.env.E2E_SAMPLES ?? 1000);

let model: LoadedModel;
let data: Float32Array[][];
let direct: Map<string, number[][]>;

beforeAll(async () => {
  model = await loadZoo();
  data = Array.from({ length: DEVICES }, (_, d) => signals(d, SAMPLES, model.manifest.input.size));
  direct = await directOutputs(model, data);
});

async function roundTrip(url: string, protocolVersion: 4 | 5, tag: string): Promise<void> {
  const rt: Runtime = await createRuntime(model, { skipGoldenCheck: true });
  const service = new MqttService(rt, { id: model.manifest.id, inputSize: model.manifest.input.size }, {
    ...defaultServiceOptions,
    broker: url,
    subscribe: ['sensors/+/imu'],
    publish: 'predictions/{device}',
    clientId: `s7rt-e2e-${tag}`,
    protocolVersion,
    pauseReading: protocolVersion === 5, // aedes runs in this process: see ServiceOptions.pauseReading
  });
  const sink = await collect(url, `collector-${tag}`);
  const pub = await connected(url, `publisher-${tag}`);
  try {
    await service.start();
    await publishRange(pub, data, 0, SAMPLES);
    await sink.until((g) => g.unique() >= DEVICES * SAMPLES);
    // Let stragglers (duplicates, if any were wrongly produced) arrive before counting.
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.got.unique()).toBe(DEVICES * SAMPLES);
    expect(sink.got.deadLetters).toEqual([]);
    const { maxErr } = compareWithDirect(sink.got, direct, SAMPLES);
    expect(maxErr).toBeLessThan(1e-4);
    expect(service.received).toBe(DEVICES * SAMPLES);
    expect(service.predictions).toBe(DEVICES * SAMPLES);
    expect(service.duplicates).toBe(0);
    expect(service.gapSamples).toBe(0);
    const metrics = service.metrics();
    expect(metrics).toMatch(new RegExp(`^s7rt_predictions_published_total ${DEVICES * SAMPLES}$`, 'm'));
    expect(metrics).toMatch(new RegExp(`^s7rt_latency_seconds_count ${DEVICES * SAMPLES}$`, 'm'));
  } finally {
    await service.stop();
    await end(pub);
    await end(sink.client);
    await rt.close();
  }
}

describe('100 devices × 1,000 samples', () => {
  let mosquitto: Mosquitto | undefined;
  let aedes: EmbeddedBroker | undefined;
  afterAll(async () => {
    await mosquitto?.dispose();
    await aedes?.close();
  });

  it('through real Mosquitto (MQTT 5): exactly 100,000 predictions equal to the direct run', async () => {
    mosquitto = await startMosquitto();
    await roundTrip(mosquitto.url, 5, 'mosquitto');
  }, 240_000);

  it('through the embedded aedes broker (MQTT 3.1.1): the same', async () => {
    aedes = await startEmbeddedBroker();
    await roundTrip(aedes.tcpUrl, 4, 'aedes');
  }, 240_000);
});
