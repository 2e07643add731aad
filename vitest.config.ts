import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ once so that tests can start the real worker bundles.
    globalSetup: ['test/runtime/global-setup.ts'],
    // worker_threads and onnxruntime-web's wasm are happier in child processes than in threads.
    pool: 'forks',
    // The memory test measures heaps after full GCs; workers inherit the flag.
    poolOptions: { forks: { execArgv: ['--expose-gc'] } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
