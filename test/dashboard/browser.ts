// Debian's chromium, headless, driven by playwright-core. Every console error, page error and
// failed request is collected so that tests can fail on them.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface TestPage {
  page: Page;
  context: BrowserContext;
  /** console errors, uncaught exceptions and failed requests, as text */
  errors: string[];
  /** paths of every request the page and its workers made, in order */
  requests: string[];
  /** onnxruntime's own warning-level log lines ("[W:onnxruntime:..."), which it writes with console.error */
  ortWarnings: string[];
}

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', ...extraArgs],
  });
}

export async function openPage(browser: Browser, url: string, viewport = { width: 1280, height: 900 }): Promise<TestPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  const ortWarnings: string[] = [];
  const requests: string[] = [];
  context.on('request', (r) => requests.push(new URL(r.url()).pathname));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (/\[W:onnxruntime:/.test(m.text())) ortWarnings.push(m.text());
    else errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`http ${r.status()}: ${r.url()}`);
  });
  await page.goto(url);
  return { page, context, errors, ortWarnings, requests };
}
