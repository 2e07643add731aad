// Event slices of one camera -> the model's running prediction. Each slice is tokenised
// (EventTokenizer) and run through TokenClassifier in chunk mode, so the predictions do not depend
// on how the events were sliced; slices are handled one at a time, in order, and the last partial
// chunk runs when the source completes (the final emission). Slices wait unbounded while the model
// works: put a bounded queue or a slicer in front of a live source that can outpace it.
//
//   fromMqttEvents(url, 'events/cam-1').pipe(sliceByTime(50_000), classifyEvents(rt.stream('cam-1'), model.manifest))
import { Observable, type OperatorFunction } from 'rxjs';
import type { Prediction, StreamHandle } from '../api.js';
import type { Manifest } from '../model/manifest.js';
import type { EventBatch } from '../../devices/events/types.js';
import { TokenClassifier, type ClassifyMode } from '../events/token-classifier.js';
import { EventTokenizer, tokenSpecOf, type TokenizerStats } from '../events/tokenizer.js';

export interface EventPrediction extends TokenizerStats {
  prediction: Prediction;
  /** time of the last event seen (µs) */
  endUs: number;
  /** true for the last emission, after the source completed and the last tokens ran */
  final: boolean;
}

export interface ClassifyEventsOptions {
  /** chunk (default): slicing-independent; step: every token at once, one graph call each */
  mode?: ClassifyMode;
}

/** Emits after every slice that yields a prediction, and once more (final) on completion. */
export function classifyEvents(stream: StreamHandle, manifest: Manifest, opts: ClassifyEventsOptions = {}): OperatorFunction<EventBatch, EventPrediction> {
  const spec = tokenSpecOf(manifest);
  return (source) =>
    new Observable<EventPrediction>((subscriber) => {
      const tokenizer = new EventTokenizer(spec);
      const classifier = new TokenClassifier(stream, opts.mode ?? 'chunk', manifest.graphs.chunk.length);
      let endUs = Number.NaN;
      let work = Promise.resolve();
      let failed = false;
      // counts as of the slice being emitted (later slices are tokenised while the model works)
      const seen = () => ({ endUs, ...tokenizer.stats });
      const emit = (p: Prediction | undefined, at: ReturnType<typeof seen>, final: boolean) => {
        if (p && !subscriber.closed) subscriber.next({ prediction: p, final, ...at });
      };
      // one slice at a time, in order: each feed waits for the one before it
      const then = (step: () => Promise<void>) => {
        work = work.then(() => (failed ? undefined : step())).catch((e: unknown) => {
          failed = true;
          subscriber.error(e);
        });
      };
      const subscription = source.subscribe({
        next: (slice) => {
          if (slice.length > 0) endUs = slice.t[slice.length - 1]!;
          const tokens = tokenizer.push(slice);
          const at = seen();
          then(async () => emit(await classifier.feed(tokens), at, false));
        },
        error: (e: unknown) => then(async () => subscriber.error(e)),
        complete: () =>
          then(async () => {
            emit(await classifier.finish(), seen(), true);
            subscriber.complete();
          }),
      });
      return () => subscription.unsubscribe();
    });
}
