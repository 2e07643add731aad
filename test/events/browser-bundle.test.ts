// devices/events/browser.ts bundles for the browser with no Node built-ins, and the bundle reads
// recordings in a real browser (Debian chromium, headless) from a dropped File and a fetch-like
// ReadableStream.

import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { launchChromium } from '../dashboard/browser.js';
import { FIXTURES } from './helpers.js';

describe('browser bundle of devices/events', () => {
  it('reads recordings in chromium from a File and a ReadableStream', async () => {
    const result = await build({
      entryPoints: [new URL('../../devices/events/browser.ts', import.meta.url).pathname],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 's7rtEvents',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0].text;
    // no static import or require of a Node built-in (byte-source.ts names 'node:fs' in a variable,
    // imported only when given a file path)
    expect(code).not.toMatch(/(\bimport\s*\(?|\brequire\s*\()\s*["'](node:)?(fs|net|path|fs\/promises)["']/);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.setContent('<!doctype html><title>events</title>');
      await page.addScriptTag({ content: code });
      const read = (name: string, how: 'file' | 'stream') =>
        page.evaluate(
          async ([b64, name, how]) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const lib = (globalThis as unknown as { s7rtEvents: typeof import('../../devices/events/browser.js') }).s7rtEvents;
            const source = how === 'file' ? new File([bytes], name) : new Response(bytes).body!;
            const rec = await lib.openEvents(source);
            let n = 0;
            let last = -Infinity;
            let monotonic = true;
            for await (const b of rec) {
              n += b.length;
              for (let i = 0; i < b.length; i++) {
                if (b.t[i] < last) monotonic = false;
                last = b.t[i];
              }
            }
            return { format: rec.format, sensor: rec.sensor, n, monotonic };
          },
          [readFileSync(FIXTURES + name).toString('base64'), name, how] as const,
        );
      expect(await read('tonic-sample.aedat4', 'file')).toEqual({ format: 'aedat4', sensor: { width: 320, height: 240 }, n: 111_954, monotonic: true });
      expect(await read('expelliarmus-evt3_sample.raw', 'stream')).toEqual({ format: 'evt3', sensor: { width: 1280, height: 720 }, n: 219_596, monotonic: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
