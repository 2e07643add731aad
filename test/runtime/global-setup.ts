import { execFileSync } from 'node:child_process';

// `npm test` already builds; this keeps `npx vitest run <file>` honest too. Skipped when
// S7RT_SKIP_BUILD=1 (e.g. while iterating on a test with an unchanged dist/).
export default function setup(): void {
  if (process.env.S7RT_SKIP_BUILD === '1') return;
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
