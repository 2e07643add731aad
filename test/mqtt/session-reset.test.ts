// A sample with "reset": true starts a new session: the device's state is reset before it is
// applied, so its predictions equal a fresh stream's from that sample on; other devices are untouched.
import { expect, it } from 'vitest';
import { createRuntime } from '../../src/index';
import { startEmbeddedBroker } from '../../src/mqtt/embedded-broker';
import { encodeSample } from '../../src/mqtt/payload';
import { MqttService, defaultServiceOptions } from '../../src/mqtt/service';
import { collect, connected, deviceKey, directOutputs, end, loadZoo, signals } from './harness';

it('a reset sample restarts the device state exactly there, and only for that device', async () => {
  const model = await loadZoo();
  const size = model.manifest.input.size;
  const N = 60;
  const RESET_AT = 25;
  const a = signals(0, N, size);
  const b = signals(1, N, size);
  // what a fresh stream gives for a's samples from RESET_AT on, and b run straight through
  const direct = await directOutputs(model, [a.slice(RESET_AT), b, a]);
  const freshA = direct.get(deviceKey(0))!;
  const straightB = direct.get(deviceKey(1))!;
  const straightA = direct.get(deviceKey(2))!;

  const broker = await startEmbeddedBroker();
  const rt = await createRuntime(model, { skipGoldenCheck: true });
  const service = new MqttService(rt, { id: model.manifest.id, inputSize: size }, {
    ...defaultServiceOptions,
    broker: broker.tcpUrl,
    subscribe: ['sensors/+/imu'],
    publish: 'predictions/{device}',
    clientId: 's7rt-session-reset',
    protocolVersion: 4,
    pauseReading: false,
  });
  const sink = await collect(broker.tcpUrl, 'collector-reset');
  const pub = await connected(broker.tcpUrl, 'publisher-reset');
  try {
    await service.start();
    for (let seq = 0; seq < N; seq++) {
      await pub.publishAsync('sensors/dev-0/imu', encodeSample('json', { seq, values: a[seq], reset: seq === RESET_AT }), { qos: 1 });
      await pub.publishAsync('sensors/dev-1/imu', encodeSample('json', { seq, values: b[seq] }), { qos: 1 });
    }
    await sink.until((g) => g.unique() >= 2 * N);
    const gotA = sink.got.predictions.get('dev-0')!;
    const gotB = sink.got.predictions.get('dev-1')!;
    for (let seq = RESET_AT; seq < N; seq++) {
      gotA.get(seq)!.forEach((v, i) => expect(v).toBeCloseTo(freshA[seq - RESET_AT][i], 4));
    }
    // the reset mattered: continuing a's history would have predicted something else there
    const change = Math.max(...gotA.get(RESET_AT)!.map((v, i) => Math.abs(v - straightA[RESET_AT][i])));
    expect(change).toBeGreaterThan(1e-3);
    for (let seq = 0; seq < RESET_AT; seq++) gotA.get(seq)!.forEach((v, i) => expect(v).toBeCloseTo(straightA[seq][i], 4));
    for (let seq = 0; seq < N; seq++) gotB.get(seq)!.forEach((v, i) => expect(v).toBeCloseTo(straightB[seq][i], 4));
  } finally {
    await end(pub);
    await end(sink.client);
    await service.stop();
    await rt.close();
    await broker.close();
  }
});
