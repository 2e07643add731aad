import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// `npm test` already builds (and stops on a failed build); this keeps `npx vitest run <file>`
// working against fresh bundles too. If another area's entry point fails to build, the runtime's
// own bundles (built separately) are enough for these tests, so that failure is reported, not fatal.
const NEEDED = ['dist/node/index.js', 'dist/node/worker.js', 'dist/browser/index.js', 'dist/browser/worker.js'];

export default function setup(): void {
  if (process.env.S7RT_SKIP_BUILD === '1') return;
  try {
    execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  } catch (e) {
    const missing = NEEDED.filter((f) => !existsSync(f));
    if (missing.length > 0) throw new Error(`build failed and ${missing.join(', ')} are missing`);
    console.warn('global-setup: some entry points failed to build (see above); runtime bundles are present');
  }
}
