import { channelItems, expect, launcher, openWidgetPage, pageSettles, panel, recordedEvents, test, waitForEvent } from './fixtures.ts';

/** The widget's scripts the page asked for: `omniwidget.js`, then chunks by name (`panel`, `email`, `chat`, …). */
const scriptsOf = (requests: string[]) => requests.map((url) => new URL(url).pathname).filter((path) => path.startsWith('/omniwidget')).map((path) => path.replace(/^\/omniwidget\/([a-z]+)-[\w-]{8}\.js$/, '$1'));

test.describe('lazy loading (#11)', () => {
  test('before any interaction the page loads the script alone; the pointer over the launcher fetches the panel, opening shows it', async ({ page, stack }) => {
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await openWidgetPage(page, stack, 'all');
    await expect(launcher(page)).toBeVisible();
    await waitForEvent(page, 'ready');
    await pageSettles(page);
    expect(scriptsOf(requests)).toEqual(['/omniwidget.js']);
    await launcher(page).hover();
    await expect.poll(() => scriptsOf(requests)).toContain('panel');
    // Intent fetches the code of what the panel can open at once, no more: nothing from Chaport's host yet.
    expect(requests.some((url) => url.includes('insert.js'))).toBe(false);
    await launcher(page).click();
    await expect(channelItems(page)).toHaveCount(10);
  });

  test('the e-mail form\'s code arrives when the form is opened, and the form gets focus', async ({ page, stack }) => {
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await openWidgetPage(page, stack, 'left');
    await launcher(page).click();
    await expect(channelItems(page)).toHaveCount(2);
    await panel(page).locator('[data-channel="mail"]').click();
    await expect(panel(page).getByLabel('Your name (optional)')).toBeFocused();
    expect(scriptsOf(requests)).toContain('email');
  });

  test('a chunk that fails to load is an error event (load_failed); the next try loads it', async ({ page, stack }) => {
    let failures = 1;
    await page.route(/\/omniwidget\/panel-[\w-]+\.js$/, (route) => (failures-- > 0 ? route.abort('connectionreset') : route.continue()));
    await openWidgetPage(page, stack, 'all');
    await launcher(page).click();
    const error = await waitForEvent(page, 'error');
    expect(error.payload).toMatchObject({ name: 'OmniwidgetError', code: 'load_failed', message: expect.stringMatching(/^Could not load the widget's panel code: /) });
    expect(await panel(page).count()).toBe(0);
    await launcher(page).click();
    await expect(channelItems(page)).toHaveCount(10);
  });

  test('destroy() while the panel\'s code is on its way: nothing appears, nothing is left', async ({ page, stack }) => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/omniwidget\/panel-[\w-]+\.js$/, async (route) => (await held, route.continue()));
    await openWidgetPage(page, stack, 'all');
    await launcher(page).click();
    await page.evaluate(() => (window as any).omniwidget('destroy'));
    release();
    await expect.poll(() => page.evaluate(() => performance.getEntriesByType('resource').some((entry) => /\/panel-/.test(entry.name)))).toBe(true);
    await pageSettles(page);
    expect(await page.locator('omniwidget-root').count()).toBe(0);
    expect(await page.evaluate(() => 'omniwidget' in window)).toBe(false);
  });
});

test.describe('review bugs (#11)', () => {
  test('open events name what opened: the e-mail form by its channel, the picker by none', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'left');
    await launcher(page).click();
    await expect(panel(page)).toBeVisible();
    const opened = (await recordedEvents(page)).filter((event) => event.name === 'open').map((event) => event.payload);
    expect(opened).toEqual([{}]);
    await page.goto(`${stack.site}/t/mail-only?record=1`);
    await launcher(page).click();
    await expect(panel(page)).toBeVisible();
    expect((await recordedEvents(page)).filter((event) => event.name === 'open').map((event) => event.payload)).toEqual([{ channel: 'mail' }]);
  });

  test('ready names a chat that hides while offline before presence is known; presence then tells', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'presence');
    const ready = await waitForEvent(page, 'ready');
    expect(ready.payload).toEqual({ widgetId: 'presence', channels: ['chat', 'tg'] });
    const presence = await waitForEvent(page, 'presence');
    expect(presence.payload).toEqual({ channel: 'chat', online: true });
    expect((await recordedEvents(page)).findIndex((event) => event.name === 'presence')).toBeGreaterThan((await recordedEvents(page)).findIndex((event) => event.name === 'ready'));
  });

  test('opened before the first presence answer, a chat and a form make a picker, not the form', async ({ page, stack }) => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(`${stack.api}/v1/widgets/presence-mail/presence`, async (route) => (await held, route.continue()));
    await openWidgetPage(page, stack, 'presence-mail');
    await waitForEvent(page, 'ready');
    await page.evaluate(() => (window as any).omniwidget('open'));
    await pageSettles(page);
    // Still waiting for presence: nothing opened yet, and certainly not the form on its own.
    expect(await panel(page).count()).toBe(0);
    release();
    await expect(channelItems(page)).toHaveText(['Online chat', 'E-mail']);
  });
});
