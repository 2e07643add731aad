// Token samples -> one runtime stream, in a way that does not depend on how the events were sliced:
// in chunk mode tokens run in whole chunks of the package's chunk length L, aligned on the token
// count since the stream's start (a slice's tail waits for the next slice; the last partial chunk
// is stepped at finish()), so the graphs run the same calls for slices of 1 event, 10,000 events
// or 50 ms. Step mode steps every token as soon as it comes (lowest latency, one graph call per
// token). No Node APIs: `s7rt classify` and the dashboard's event view both use it.
import type { Prediction, Sample, StreamHandle } from '../api.js';

export type ClassifyMode = 'chunk' | 'step';

export class TokenClassifier {
  private pending: Sample[] = [];
  latest: Prediction | undefined;
  /** tokens run through the model so far */
  consumed = 0;

  constructor(
    private readonly stream: StreamHandle,
    private readonly mode: ClassifyMode,
    private readonly chunkLength: number,
  ) {}

  /** Runs what can run now; resolves to the newest prediction (undefined before the first). */
  async feed(samples: Sample[]): Promise<Prediction | undefined> {
    if (this.mode === 'step') {
      // all steps of the slice are queued at once (the runtime keeps a stream's steps in order), so
      // the worker round trips overlap; each still runs the step graph once
      const preds = await Promise.all(samples.map((s) => this.stream.step(s)));
      if (preds.length > 0) this.latest = preds[preds.length - 1];
      this.consumed += samples.length;
      return this.latest;
    }
    this.pending.push(...samples);
    const whole = this.pending.length - (this.pending.length % this.chunkLength);
    if (whole > 0) {
      const run = this.pending.slice(0, whole);
      this.pending = this.pending.slice(whole);
      const preds = await this.stream.push(run);
      this.latest = preds[preds.length - 1];
      this.consumed += whole;
    }
    return this.latest;
  }

  /** End of stream: the last partial chunk (fewer than L tokens) goes through the step graph. */
  async finish(): Promise<Prediction | undefined> {
    if (this.pending.length > 0) {
      const preds = await this.stream.push(this.pending);
      this.latest = preds[preds.length - 1];
      this.consumed += this.pending.length;
      this.pending = [];
    }
    return this.latest;
  }
}
