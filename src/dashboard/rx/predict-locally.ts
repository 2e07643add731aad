// Browser-only mode: each sensor sample goes through the device's stream in the runtime's worker
// (which keeps the device's state), in order per device and concurrently across devices so that
// the runtime can batch streams. Predictions come out as if published over MQTT.
// When a device has `maxQueued` samples waiting for the worker, further samples are not stepped:
// each is rejected as 'overload' (counted and shown) rather than growing the queue without bound.
import { type OperatorFunction, EMPTY, catchError, concatMap, filter, finalize, from, groupBy, map, mergeMap } from 'rxjs';
import type { Prediction, StreamHandle } from '../../api.js';
import { DashboardInputError } from '../errors.js';
import type { PredictionMessage, SensorSampleMessage } from '../messages.js';

export function predictLocally(
  openStream: (device: string) => StreamHandle,
  reject: (e: DashboardInputError) => void,
  maxQueued = 250,
): OperatorFunction<SensorSampleMessage, PredictionMessage> {
  return (samples) =>
    samples.pipe(
      groupBy((s) => s.device),
      mergeMap((perDevice) => {
        const stream = openStream(perDevice.key);
        let queued = 0;
        return perDevice.pipe(
          filter((s) => {
            if (queued < maxQueued) return (queued++, true);
            reject(new DashboardInputError('overload', `device ${s.device} seq ${s.seq}`, `${queued} samples already wait for the worker; not predicted`));
            return false;
          }),
          concatMap((s) =>
            from(stream.step({ values: s.values })).pipe(
              map((p) => toMessage(s, p)),
              catchError((e: unknown) => {
                reject(new DashboardInputError('inference', `device ${s.device} seq ${s.seq}`, e instanceof Error ? e.message : String(e)));
                return EMPTY;
              }),
              finalize(() => queued--),
            ),
          ),
        );
      }),
    );
}

function toMessage(s: SensorSampleMessage, p: Prediction): PredictionMessage {
  return { kind: 'prediction', device: s.device, seq: s.seq, t: s.t, values: p.values, label: p.label, probability: p.probability, receivedAt: performance.now() };
}
