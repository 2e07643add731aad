// Raw MQTT messages -> typed dashboard messages; each bad one goes to `reject` (counted, shown),
// never into the stream and never thrown.
import { type OperatorFunction, mergeMap, EMPTY, of } from 'rxjs';
import { DashboardInputError } from '../errors.js';
import { type DashboardMessage, type TopicPatterns, compileTopics, parseMessage } from '../messages.js';
import type { RawMessage } from './from-mqtt.js';

export function parseMessages(topics: TopicPatterns, reject: (e: DashboardInputError) => void): OperatorFunction<RawMessage, DashboardMessage> {
  const matchers = compileTopics(topics);
  return mergeMap((m) => {
    try {
      return of(parseMessage(matchers, m.topic, m.payload, m.receivedAt));
    } catch (e) {
      reject(e instanceof DashboardInputError ? e : new DashboardInputError('shape', m.topic, String(e)));
      return EMPTY;
    }
  });
}
