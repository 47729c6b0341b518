import { test as base, expect, type Browser, type Page } from '@playwright/test';
import type { Stack } from '../../demo/stack.ts';
import { startTestStack, type ApiRequest } from '../support/test-stack.ts';

/**
 * The browser tests' world: the demo's own stack (site, helpdesk API with the minified dist/omniwidget.js,
 * Chaport sandbox) on random ports, one per worker, with the test widgets below.
 */

export { APP_ID, AGGRESSIVE_RESET, EVENT_NAMES, testWidgets, type ApiRequest } from '../support/test-stack.ts';

export const test = base.extend<{ errors: Error[] }, { stack: Stack & { requests: ApiRequest[] } }>({
  stack: [
    async ({}, use) => {
      const stack = await startTestStack();
      await use(stack);
      await stack.close();
    },
    { scope: 'worker' },
  ],
  // In every test, any uncaught exception in any page of its context fails it: the SDK must never throw into the host.
  errors: [
    async ({ context }, use) => {
      const errors: Error[] = [];
      const watch = (page: Page) => page.on('pageerror', (error) => errors.push(error));
      context.pages().forEach(watch);
      context.on('page', watch);
      await use(errors);
      expect(errors, 'uncaught exceptions in the page').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Opens the host page for a widget; `params` become data-* attributes (prefixed) or page switches. */
export async function openWidgetPage(page: Page, stack: Stack, widgetId: string, params: Record<string, string> = {}): Promise<void> {
  const query = new URLSearchParams({ record: '1', ...params });
  await page.goto(`${stack.site}/t/${widgetId}?${query}`);
}

export const launcher = (page: Page) => page.locator('omniwidget-root .launcher');
export const panel = (page: Page) => page.locator('omniwidget-root .panel');
export const channelItems = (page: Page) => page.locator('omniwidget-root .panel .channel');

export type RecordedEvent = { name: string; payload: any };
export const recordedEvents = (page: Page): Promise<RecordedEvent[]> => page.evaluate(() => (window as any).__events ?? []);
export async function waitForEvent(page: Page, name: string, predicate: (event: RecordedEvent) => boolean = () => true): Promise<RecordedEvent> {
  let found: RecordedEvent | undefined;
  await expect.poll(async () => (found = (await recordedEvents(page)).find((event) => event.name === name && predicate(event))), { message: `event "${name}"` }).toBeTruthy();
  return found!;
}

/**
 * Lets `n` presence intervals pass (2 s: the test widgets' `pollSeconds`), as a widget in a browser context of its
 * own counts them with its polls: how a test shows that something did NOT happen meanwhile, without a fixed sleep
 * that a busy machine could make too short.
 */
export async function presenceIntervalsPass(browser: Browser, stack: Stack & { requests: ApiRequest[] }, n: number): Promise<void> {
  const context = await browser.newContext();
  try {
    const clock = await context.newPage();
    const since = Date.now();
    await openWidgetPage(clock, stack, 'presence-only');
    const ticks = () => stack.requests.filter((request) => request.path === '/v1/widgets/presence-only/presence' && request.at >= since).length;
    await expect.poll(ticks, { timeout: 30_000, message: `${n} presence intervals` }).toBeGreaterThanOrEqual(n + 1);
  } finally {
    await context.close();
  }
}

/**
 * The page has run what it had queued: two frames, then an idle period (when a lazy load "when the browser is idle"
 * would start). What a test waits for before saying that something did not happen on its own.
 */
export const pageSettles = (page: Page): Promise<unknown> =>
  page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => requestIdleCallback(done, { timeout: 5000 })))));

/**
 * The widget stands still: its opening animation, a hover transition and the like have finished (a spinner's endless
 * turn excepted). What a test waits for before measuring a box or a style, which an animation changes for a moment.
 */
export const widgetSettles = (page: Page): Promise<unknown> =>
  page.evaluate(() => {
    const root = document.querySelector('omniwidget-root')?.shadowRoot;
    const running = root ? root.getAnimations().filter((animation) => animation.effect?.getTiming().iterations !== Infinity) : [];
    return Promise.all(running.map((animation) => animation.finished.catch(() => {})));
  });
