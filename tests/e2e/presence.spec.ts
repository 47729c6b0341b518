import type { Page } from '@playwright/test';
import { APP_ID, channelItems, expect, launcher, openWidgetPage, panel, presenceIntervalsPass, recordedEvents, test, waitForEvent, type ApiRequest } from './fixtures.ts';

/**
 * Headless Chromium keeps every page "visible" and offers no way to hide one, so a hidden tab is simulated at the
 * DOM level: `document.visibilityState` reports it and `visibilitychange` fires, as when the visitor switches tabs.
 */
async function setVisibility(page: Page, state: 'hidden' | 'visible'): Promise<void> {
  await page.evaluate((next) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => next });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => next === 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);
}

const presencePolls = (requests: ApiRequest[], widgetId: string, since: number) =>
  requests.filter((request) => request.path === `/v1/widgets/${widgetId}/presence` && request.at >= since);

test.describe('operator presence', () => {
  test.afterEach(({ stack }) => {
    stack.chaport.state.setOperatorStatus(APP_ID, 'op-anna', 'online');
    stack.chaport.state.setOperatorStatus(APP_ID, 'op-boris', 'offline');
  });

  test('the last operator going offline (operator console) removes the chat within one poll; back online, it returns', async ({ page, context, stack }) => {
    await openWidgetPage(page, stack, 'presence');
    await launcher(page).click();
    await expect(channelItems(page)).toHaveText(['Online chat', 'Telegram (opens in a new tab)']);

    const console = await context.newPage();
    await console.goto(`${stack.sandbox}/console`);
    await console.locator('select[data-operator="op-anna"]').selectOption('offline');
    // pollSeconds is 2 and the server refreshes every 0.5 s: within one poll (plus slack for CI).
    await expect(channelItems(page)).toHaveText(['Telegram (opens in a new tab)'], { timeout: 4000 });

    await console.locator('select[data-operator="op-boris"]').selectOption('online');
    await expect(channelItems(page)).toHaveText(['Online chat', 'Telegram (opens in a new tab)'], { timeout: 4000 });
    // One `presence` event per change, none for polls that found nothing new (no flicker).
    const presence = (await recordedEvents(page)).filter((event) => event.name === 'presence').map((event) => event.payload);
    expect(presence).toEqual([
      { channel: 'chat', online: true },
      { channel: 'chat', online: false },
      { channel: 'chat', online: true },
    ]);
  });

  test('polls conditionally: unchanged presence costs a bodiless 304', async ({ page, stack }) => {
    const since = Date.now();
    await openWidgetPage(page, stack, 'presence');
    await waitForEvent(page, 'presence');
    await expect.poll(() => presencePolls(stack.requests, 'presence', since).length, { timeout: 8000 }).toBeGreaterThanOrEqual(3);
    const polls = presencePolls(stack.requests, 'presence', since);
    expect(polls[0]!.status).toBe(200);
    for (const poll of polls.slice(1)) {
      expect(poll.ifNoneMatch).toMatch(/^W\/"/);
      expect(poll.status).toBe(304);
    }
  });

  test('when presence is unknown (the API keeps failing), the chat shows: Chaport\'s offline mode still takes a message', async ({ page, stack }) => {
    stack.chaport.state.setOperatorStatus(APP_ID, 'op-anna', 'offline');
    // The API itself failing for the widget: after a few failed polls presence is unknown.
    await page.route(`${stack.api}/v1/widgets/presence/presence`, (route) => route.fulfill({ status: 503, headers: { 'Access-Control-Allow-Origin': stack.site }, body: '' }));
    await openWidgetPage(page, stack, 'presence');
    const event = await waitForEvent(page, 'presence');
    expect(event.payload).toEqual({ channel: 'chat', online: null });
    await launcher(page).click();
    await expect(channelItems(page).first()).toHaveText('Online chat');
  });

  test('a visitor with an ongoing conversation keeps the chat while everyone is offline', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'presence');
    await launcher(page).click();
    await panel(page).locator('[data-channel="chat"]').click();
    const frame = page.frameLocator('.chaport-window iframe');
    await frame.getByRole('textbox').fill('I need help');
    await frame.getByRole('button', { name: 'Send' }).click();
    await frame.getByRole('button', { name: 'Minimize the chat' }).click();
    stack.chaport.state.setOperatorStatus(APP_ID, 'op-anna', 'offline');
    await waitForEvent(page, 'presence', (event) => event.payload.online === false);
    await launcher(page).click();
    await expect(channelItems(page)).toHaveText(['Online chat', 'Telegram (opens in a new tab)']);
  });

  test('with the chat as the only channel, the whole launcher hides while offline and returns when online', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'presence-only');
    await expect(launcher(page)).toBeVisible();
    stack.chaport.state.setOperatorStatus(APP_ID, 'op-anna', 'offline');
    await expect(launcher(page)).toHaveCount(0, { timeout: 4000 });
    stack.chaport.state.setOperatorStatus(APP_ID, 'op-anna', 'online');
    await expect(launcher(page)).toBeVisible({ timeout: 4000 });
  });

  test('two tabs share one poller; both see every change', async ({ browser, context, stack }) => {
    const first = await context.newPage();
    const second = await context.newPage();
    await openWidgetPage(first, stack, 'presence');
    await openWidgetPage(second, stack, 'presence');
    await waitForEvent(first, 'presence');
    await waitForEvent(second, 'presence');
    const since = Date.now();
    await presenceIntervalsPass(browser, stack, 3);
    // One browser-wide poller makes one poll per interval (3, and one more if the clock's page was slow to start);
    // two would make 6 or more.
    expect(presencePolls(stack.requests, 'presence', since).length).toBeLessThanOrEqual(5);
    expect(presencePolls(stack.requests, 'presence', since).length).toBeGreaterThanOrEqual(2);
    stack.chaport.state.setOperatorStatus(APP_ID, 'op-anna', 'offline');
    await waitForEvent(first, 'presence', (event) => event.payload.online === false);
    await waitForEvent(second, 'presence', (event) => event.payload.online === false);
  });

  test('a hidden tab makes no requests, and refreshes when it comes back', async ({ browser, page, stack }) => {
    await openWidgetPage(page, stack, 'presence');
    await waitForEvent(page, 'presence');
    await setVisibility(page, 'hidden');
    const hiddenSince = Date.now();
    stack.chaport.state.setOperatorStatus(APP_ID, 'op-anna', 'offline');
    await presenceIntervalsPass(browser, stack, 2);
    expect(presencePolls(stack.requests, 'presence', hiddenSince)).toEqual([]);
    const visibleSince = Date.now();
    await setVisibility(page, 'visible');
    await waitForEvent(page, 'presence', (event) => event.payload.online === false);
    expect(presencePolls(stack.requests, 'presence', visibleSince)[0]!.at - visibleSince).toBeLessThan(1000);
  });

  test('with display: "always", nothing is polled', async ({ browser, page, stack }) => {
    const since = Date.now();
    await openWidgetPage(page, stack, 'all');
    await launcher(page).click();
    await presenceIntervalsPass(browser, stack, 1);
    expect(presencePolls(stack.requests, 'all', since)).toEqual([]);
    await expect(channelItems(page).first()).toHaveText('Online chat');
  });
});
