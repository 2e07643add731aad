// Code run inside the dashboard page (page.evaluate) against its runtime: the golden vectors of
// the model the page loaded, fed through the runtime's worker one step at a time per stream.
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

export async function waitRuntime(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as any).s7dashboard?.runtime !== undefined, null, { timeout: 60_000 });
}

export function runGoldenInPage(page: Page, prefix: string): Promise<InPageGolden> {
  return page.evaluate(async (prefix) => {
    const { runtime, model, stats } = (window as any).s7dashboard.runtime;
    const g = model.golden;
    const m = model.manifest;
    const size = m.input.size;
    const O = m.output.size;
    const outputs = new Array<number>(g.batch * g.steps * O);
    await Promise.all(
      Array.from({ length: g.batch }, async (_, b) => {
        const s = runtime.stream(`${prefix}-${b}`);
        for (let t = 0; t < g.steps; t++) {
          const at = b * g.steps + t;
          const p = await s.step({ values: g.input.data.slice(at * size, (at + 1) * size) });
          for (let o = 0; o < O; o++) outputs[at * O + o] = p.output[o];
        }
      }),
    );
    let worstExcess = -Infinity;
    let maxAbsError = 0;
    outputs.forEach((got, i) => {
      const want = g.output.data[i];
      const err = Math.abs(got - want);
      maxAbsError = Math.max(maxAbsError, err);
      worstExcess = Math.max(worstExcess, err - (m.golden.atol + m.golden.rtol * Math.abs(want)));
    });
    return { backend: stats.backend, fallbackReason: stats.fallbackReason, batch: g.batch, steps: g.steps, outputs, worstExcess, maxAbsError };
  }, prefix);
}
