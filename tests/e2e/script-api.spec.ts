import { channelItems, expect, launcher, openWidgetPage, panel, recordedEvents, test, waitForEvent } from './fixtures.ts';

test.describe('script tag and JS API', () => {
  test('replays calls queued on the stub before the script loaded, in order', async ({ page, stack }) => {
    // The recorder page defines the stub and queues `on` calls; queue more before the script arrives.
    await page.route(`${stack.api}/omniwidget.js`, async (route) => {
      // The preload scanner may ask for the script before the page's stub has run: wait for the stub.
      await page.waitForFunction(() => typeof (window as any).omniwidget === 'function');
      await page.evaluate(() => {
        const w = window as any;
        w.omniwidget('identify', { name: 'Ann Queued', email: 'ann@example.com' });
        w.omniwidget('openChannel', 'mail');
      });
      await route.continue();
    });
    await openWidgetPage(page, stack, 'all');
    await expect(panel(page).getByRole('heading')).toHaveText('Write to us');
    await expect(panel(page).getByLabel('Your name (optional)')).toHaveValue('Ann Queued');
    await expect(panel(page).getByLabel('E-mail')).toHaveValue('ann@example.com');
    const ready = await waitForEvent(page, 'ready');
    expect(ready.payload).toEqual({ widgetId: 'all', channels: ['chat', 'tg', 'wa', 'viber', 'vk', 'fb', 'mail', 'call', 'kb', 'mailto'] });
    const names = (await recordedEvents(page)).map((event) => event.name);
    expect(names.indexOf('ready')).toBeLessThan(names.indexOf('channel:select'));
  });

  test('omniwidget(\'init\', options) in the queue supplies options on top of the data attributes', async ({ page, stack }) => {
    await page.route(`${stack.api}/omniwidget.js`, async (route) => {
      await page.waitForFunction(() => typeof (window as any).omniwidget === 'function');
      await page.evaluate(() => (window as any).omniwidget('init', { launcher: false, locale: 'ru' }));
      await route.continue();
    });
    await openWidgetPage(page, stack, 'all');
    await waitForEvent(page, 'ready');
    await expect(launcher(page)).toHaveCount(0);
    await page.evaluate(() => (window as any).omniwidget('open'));
    await expect(panel(page).getByRole('heading')).toHaveText('Как вам удобнее связаться с нами?');
  });

  test('window.omniwidget is callable and has the widget\'s methods; it is the only global added', async ({ page, stack }) => {
    await page.goto(`${stack.site}/t/all?noscript=1`);
    const before: string[] = await page.evaluate(() => Object.keys(window));
    await openWidgetPage(page, stack, 'all', { record: '' });
    await expect(launcher(page)).toBeVisible();
    const after: string[] = await page.evaluate(() => Object.keys(window));
    // The recorder page's own test globals aside, only `omniwidget`.
    expect(after.filter((key) => !before.includes(key) && key !== '__events')).toEqual(['omniwidget']);
    const api = await page.evaluate(() => {
      const w = (window as any).omniwidget;
      return { callable: typeof w, methods: ['open', 'close', 'toggle', 'openChannel', 'identify', 'setConsent', 'on', 'destroy'].map((m) => typeof w[m]), version: w.version };
    });
    expect(api).toEqual({ callable: 'function', methods: Array(8).fill('function'), version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    await page.evaluate(() => (window as any).omniwidget.open());
    await expect(panel(page)).toBeVisible();
    await page.evaluate(() => (window as any).omniwidget('toggle'));
    await expect(panel(page)).toHaveCount(0);
  });

  test('events have any number of listeners, each with its own unsubscribe', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'all');
    await expect(launcher(page)).toBeVisible();
    const calls = await page.evaluate(async () => {
      const w = (window as any).omniwidget;
      const calls: string[] = [];
      const offA = w('on', 'open', () => calls.push('a'));
      w('on', 'open', () => calls.push('b'));
      w.on('open', () => {
        throw new Error('a broken listener does not stop the others');
      });
      w('on', 'open', () => calls.push('c'));
      // Until the listeners have been called `count` times in all: a condition, not a fixed wait.
      const heard = (count: number) => new Promise<void>((done) => (function check() { calls.length >= count ? done() : setTimeout(check, 5); })());
      w('open');
      await heard(3);
      w('close');
      offA();
      w('open');
      await heard(5);
      // `ready` already happened: a late listener is told at once.
      await new Promise((resolve) => w('on', 'ready', () => resolve(calls.push('ready'))));
      return calls;
    });
    expect(calls).toEqual(['a', 'b', 'c', 'b', 'c', 'ready']);
  });

  test('openChannel, open, close and toggle drive the panel; an unknown channel is an error event, not an exception', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'all');
    await expect(launcher(page)).toBeVisible();
    await page.evaluate(() => (window as any).omniwidget('openChannel', 'nope'));
    const error = await waitForEvent(page, 'error');
    expect(error.payload).toEqual({ name: 'OmniwidgetError', code: 'unknown_channel', message: expect.stringContaining('has no channel "nope"') });
    await page.evaluate(() => (window as any).omniwidget('openChannel', 'mail'));
    await expect(panel(page).getByRole('heading')).toHaveText('Write to us');
    await page.evaluate(() => (window as any).omniwidget('close'));
    await expect(panel(page)).toHaveCount(0);
    await page.evaluate(() => (window as any).omniwidget('toggle'));
    await expect(channelItems(page)).toHaveCount(10);
    const kinds = (await recordedEvents(page)).map((event) => event.name).filter((name) => name === 'open' || name === 'close');
    expect(kinds).toEqual(['open', 'close', 'open']);
  });

  test('launcher: false hides the launcher; the site opens the widget from its own button and gets focus back', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'all', { 'data-launcher': 'false' });
    await waitForEvent(page, 'ready');
    await expect(launcher(page)).toHaveCount(0);
    await page.locator('#own-button').focus();
    await page.evaluate(() => (window as any).omniwidget('open'));
    await expect(panel(page)).toBeVisible();
    await expect(channelItems(page).first()).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(panel(page)).toHaveCount(0);
    await expect(page.locator('#own-button')).toBeFocused();
  });

  test('invalid options are reported as error events naming the option, and the page is left alone', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'all', { 'data-z-index': 'high' });
    const error = await waitForEvent(page, 'error');
    expect(error.payload).toEqual({ name: 'OptionsError', code: 'invalid_options', message: 'Invalid option "zIndex": must be an integer' });
    await expect(page.locator('omniwidget-root')).toHaveCount(0);
  });
});
