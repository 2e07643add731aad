import { describe, expect, it } from 'vitest';
import { DashboardInputError } from '../../src/dashboard/errors';
import { compileTopics, defaultTopics, parseMessage } from '../../src/dashboard/messages';
import { devicePattern } from '../../src/dashboard/topics';

const topics = compileTopics(defaultTopics);

const enc = (x: unknown) => new TextEncoder().encode(typeof x === 'string' ? x : JSON.stringify(x));

function rejection(topic: string, payload: Uint8Array): DashboardInputError {
  try {
    parseMessage(topics, topic, payload, 0);
  } catch (e) {
    expect(e).toBeInstanceOf(DashboardInputError);
    return e as DashboardInputError;
  }
  throw new Error('expected a DashboardInputError');
}

describe('topics', () => {
  it('takes the device from the + level and refuses other shapes', () => {
    const imu = devicePattern('sensors/+/imu');
    expect(imu.match('sensors/imu-7/imu')).toBe('imu-7');
    expect(imu.match('sensors/imu-7/gps')).toBeUndefined();
    expect(imu.match('sensors/imu-7')).toBeUndefined();
    expect(devicePattern('predictions/+').match('predictions/a')).toBe('a');
  });

  it('refuses a filter with no device level, naming it', () => {
    expect(() => devicePattern('sensors/imu')).toThrow('sensors/imu: the topic filter has no + level naming the device');
  });
});

describe('parseMessage', () => {
  it('reads a sensor sample as published by the simulated devices', () => {
    const m = parseMessage(topics, 'sensors/d1/imu', enc({ seq: 4, t: 1000, values: [1, 2, 3, 4, 5, 6] }), 12);
    expect(m).toEqual({ kind: 'sample', device: 'd1', seq: 4, t: 1000, values: [1, 2, 3, 4, 5, 6], receivedAt: 12 });
  });

  it('reads a prediction as s7rt publishes it', () => {
    const payload = { device: 'd1', seq: 4, t: 1000, label: 'walk', probability: 0.7, values: { still: 0.3, walk: 0.7 }, output: [0.3, 0.7] };
    const m = parseMessage(topics, 'predictions/d1', enc(payload), 5);
    expect(m).toMatchObject({ kind: 'prediction', device: 'd1', seq: 4, label: 'walk', probability: 0.7, values: { still: 0.3, walk: 0.7 } });
  });

  it('names the topic and the field of bad input', () => {
    const notJson = rejection('sensors/d1/imu', enc('{oops'));
    expect(notJson.reason).toBe('json');
    expect(notJson.where).toBe('sensors/d1/imu');

    const noSeq = rejection('sensors/d1/imu', enc({ t: 1, values: [1] }));
    expect(noSeq.reason).toBe('shape');
    expect(noSeq.message).toContain('"seq"');

    const nan = rejection('sensors/d2/imu', enc({ seq: 1, t: 1, values: [1, null, 3] }));
    expect(nan.reason).toBe('range');
    expect(nan.message).toBe('sensors/d2/imu: "values[1]" is not a finite number');

    const badProb = rejection('predictions/d1', enc({ values: { walk: 'high' } }));
    expect(badProb.message).toContain('"values.walk"');

    const array = rejection('predictions/d1', enc([1, 2]));
    expect(array.reason).toBe('shape');

    const other = rejection('elsewhere/x', enc({}));
    expect(other.reason).toBe('topic');
  });
});
