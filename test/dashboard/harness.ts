// One dashboard under test: a real broker (WebSocket), the dashboard server, Debian's chromium.
import type { Browser } from 'playwright-core';
import { buildDashboard } from '../../src/dashboard/build.mjs';
import { type DashboardServer, startDashboardServer } from '../../src/dashboard/server';
import { type TestPage, launchChromium, openPage } from './browser';
import { type TestBroker, startTestBroker } from './broker';

export interface Harness {
  broker: TestBroker;
  server: DashboardServer;
  browser: Browser;
  open(query?: string, viewport?: { width: number; height: number }): Promise<TestPage>;
  close(): Promise<void>;
}

export async function startHarness(chromiumArgs: string[] = []): Promise<Harness> {
  await buildDashboard();
  const broker = await startTestBroker();
  const server = await startDashboardServer({ brokerWsUrl: broker.wsUrl });
  const browser = await launchChromium(chromiumArgs);
  return {
    broker,
    server,
    browser,
    open: (query = '', viewport) => openPage(browser, `${server.url}${query}`, viewport),
    async close() {
      await browser.close();
      await server.close();
      await broker.close();
    },
  };
}

/** Waits until the page's stream view is subscribed to the broker. */
export async function waitConnected(page: TestPage['page']): Promise<void> {
  await page.waitForFunction(() => {
    const d = (window as unknown as { s7dashboard?: { streams?: { stats: { status: string } } } }).s7dashboard;
    return d?.streams?.stats.status === 'connected';
  }, null, { timeout: 30_000 });
}

export { simulatedSample } from './samples';
