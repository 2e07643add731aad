// The browser-only operator on the real runtime (Node worker, zoo package): per-device order and
// state, bounded waiting, failures counted.
import { resolve } from 'node:path';
import { Subject, lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardInputError } from '../../src/dashboard/errors';
import type { SensorSampleMessage } from '../../src/dashboard/messages';
import { predictLocally } from '../../src/dashboard/rx/predict-locally';
import { createRuntime, loadModel, type Runtime } from '../../src/index';
import { simulatedSample } from './harness';

let rt: Runtime;
let direct: Runtime;
beforeAll(async () => {
  const model = await loadModel(resolve(import.meta.dirname, '../../models/zoo/sensor-activity'));
  [rt, direct] = await Promise.all([createRuntime(model), createRuntime(model, { skipGoldenCheck: true })]);
});
afterAll(async () => {
  await rt?.close();
  await direct?.close();
});

const sample = (device: string, d: number, seq: number, values = simulatedSample(d, seq)): SensorSampleMessage => ({ kind: 'sample', device, seq, t: seq * 20, values, receivedAt: 0 });

describe('predictLocally', () => {
  it('steps each device in order with its own state, as direct stepping does', async () => {
    const input = new Subject<SensorSampleMessage>();
    const rejected: DashboardInputError[] = [];
    const out = lastValueFrom(input.pipe(predictLocally((d) => rt.stream(`op-${d}`), (e) => rejected.push(e)), toArray()));
    for (let seq = 0; seq < 20; seq++) for (const [d, device] of ['a', 'b'].entries()) input.next(sample(device, d, seq));
    input.complete();
    const predictions = await out;
    expect(rejected).toEqual([]);
    for (const [d, device] of ['a', 'b'].entries()) {
      const mine = predictions.filter((p) => p.device === device);
      expect(mine.map((p) => p.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      for (const p of mine) {
        const want = await direct.stream(`direct-${device}`).step({ values: simulatedSample(d, p.seq!) });
        expect(Object.values(p.values)).toEqual(Array.from(want.output));
      }
    }
  });

  it('rejects samples beyond maxQueued per device as overload, and bad samples as inference errors', async () => {
    const input = new Subject<SensorSampleMessage>();
    const rejected: DashboardInputError[] = [];
    const out = lastValueFrom(input.pipe(predictLocally((d) => rt.stream(`q-${d}`), (e) => rejected.push(e), 3), toArray()));
    for (let seq = 0; seq < 10; seq++) input.next(sample('busy', 0, seq)); // all at once: 3 wait, 7 refused
    input.next(sample('other', 1, 0, [1, 2, 3])); // 3 values for a 6-channel model
    input.complete();
    const predictions = await out;
    expect(predictions.filter((p) => p.device === 'busy').map((p) => p.seq)).toEqual([0, 1, 2]);
    expect(rejected.filter((e) => e.reason === 'overload').map((e) => e.where)).toEqual(Array.from({ length: 7 }, (_, i) => `device busy seq ${i + 3}`));
    const bad = rejected.filter((e) => e.reason === 'inference');
    expect(bad).toHaveLength(1);
    expect(bad[0].where).toBe('device other seq 0');
  });
});
