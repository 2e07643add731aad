// Code run inside the dashboard page (page.evaluate) against its runtime, which lives in the stream
// view's feed worker: the golden vectors of the model it loaded, fed one step at a time per stream.
import type { Page } from 'playwright-core';

export interface InPageGolden {
  backend: string;
  fallbackReason?: string;
  batch: number;
  steps: number;
  /** every output, stream-major, as computed in the page */
  outputs: number[];
  /** max over values of |got - want| - (atol + rtol |want|): <= 0 means within tolerance */
  worstExcess: number;
  maxAbsError: number;
}

/** Waits for the page's runtime; fails with the page's own error message if it could not start. */
export async function waitRuntime(page: Page, timeout = 60_000): Promise<void> {
  await page.waitForFunction(() => (window as any).s7dashboard?.runtime !== undefined || document.getElementById('page-error')?.textContent, null, { timeout });
  const error = await page.locator('#page-error').textContent();
  if (error) throw new Error(error);
}

/** Runs the first `limit` golden steps of every golden stream (default: all of them). */
export function runGoldenInPage(page: Page, prefix: string, limit = Infinity): Promise<InPageGolden> {
  return page.evaluate(async ({ prefix, limit }) => {
    const { control, stats } = (window as any).s7dashboard.runtime;
    const { manifest: m, golden: g } = await control.model();
    const size = m.input.size;
    const O = m.output.size;
    const steps = Math.min(limit, g.steps);
    const outputs = new Array<number>(g.batch * steps * O);
    await Promise.all(
      Array.from({ length: g.batch }, async (_, b) => {
        for (let t = 0; t < steps; t++) {
          const at = b * g.steps + t;
          const p = await control.step(`${prefix}-${b}`, Array.from(g.input.data.slice(at * size, (at + 1) * size)));
          for (let o = 0; o < O; o++) outputs[(b * steps + t) * O + o] = p.output[o];
        }
      }),
    );
    let worstExcess = -Infinity;
    let maxAbsError = 0;
    outputs.forEach((got, i) => {
      const b = Math.floor(i / (steps * O));
      const want = g.output.data[b * g.steps * O + (i % (steps * O))];
      const err = Math.abs(got - want);
      maxAbsError = Math.max(maxAbsError, err);
      worstExcess = Math.max(worstExcess, err - (m.golden.atol + m.golden.rtol * Math.abs(want)));
    });
    return { backend: stats.backend, fallbackReason: stats.fallbackReason, batch: g.batch, steps, outputs, worstExcess, maxAbsError };
  }, { prefix, limit: Number.isFinite(limit) ? limit : 1e9 });
}
