// Marble test of the parse operator: good messages pass through in order, bad ones are rejected
// (counted with their topic) without ending or delaying the stream.
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { DashboardInputError } from '../../src/dashboard/errors';
import { defaultTopics } from '../../src/dashboard/messages';
import type { RawMessage } from '../../src/dashboard/rx/from-mqtt';
import { parseMessages } from '../../src/dashboard/rx/parse-messages';

const raw = (topic: string, payload: unknown): RawMessage => ({ topic, payload: new TextEncoder().encode(typeof payload === 'string' ? payload : JSON.stringify(payload)), receivedAt: 0 });

describe('parseMessages', () => {
  it('passes good messages, rejects bad ones and keeps going', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    const rejected: DashboardInputError[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const input = cold('a-b-c-d|', {
        a: raw('sensors/d1/imu', { seq: 0, t: 0, values: [1] }),
        b: raw('sensors/d1/imu', 'not json'),
        c: raw('predictions/d1', { seq: 0, values: { x: 1 } }),
        d: raw('unknown/topic', {}),
      });
      expectObservable(input.pipe(parseMessages(defaultTopics, (e) => rejected.push(e)))).toBe('a---c--|', {
        a: { kind: 'sample', device: 'd1', seq: 0, t: 0, values: [1], receivedAt: 0 },
        c: { kind: 'prediction', device: 'd1', seq: 0, t: undefined, values: { x: 1 }, label: undefined, probability: undefined, receivedAt: 0 },
      });
    });
    expect(rejected.map((e) => [e.reason, e.where])).toEqual([
      ['json', 'sensors/d1/imu'],
      ['topic', 'unknown/topic'],
    ]);
  });
});
