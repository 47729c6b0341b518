import type { Page } from '@playwright/test';
import { chatFrame, chatWindow, operatorReplies, startConversation, visitorClosesChat, visitorIdOf } from './chaport.ts';
import { APP_ID, channelItems, expect, launcher, openWidgetPage, pageSettles, panel, recordedEvents, test, waitForEvent } from './fixtures.ts';

test.describe('Chaport as a channel', () => {
  test('nothing is requested from Chaport until the visitor picks the chat; then insert.js, once, the documented way', async ({ page, stack }) => {
    const sandboxRequests: string[] = [];
    page.on('request', (request) => request.url().startsWith(stack.sandbox) && sandboxRequests.push(request.url()));
    // Record what window.chaport looks like at the moment insert.js arrives: the official stub, not a bare object.
    await page.route(`${stack.sandbox}/javascripts/insert.js`, async (route) => {
      const original = await route.fetch();
      const probe = `window.__stubAtLoad = { keys: Object.keys(window.chaport || {}).sort(), queued: (window.chaport && window.chaport._q || []).map(a => Array.from(a)[0]), listened: Object.keys((window.chaport && window.chaport._l) || {}).sort(), config: window.chaportConfig };\n`;
      await route.fulfill({ response: original, body: probe + (await original.text()) });
    });
    await openWidgetPage(page, stack, 'all');
    await launcher(page).click();
    await expect(channelItems(page)).toHaveCount(10);
    await pageSettles(page);
    expect(sandboxRequests).toEqual([]);
    expect(await page.evaluate(() => typeof (window as any).chaport)).toBe('undefined');

    await page.evaluate(() => (window as any).omniwidget('identify', { name: 'Ann Before', email: 'ann.before@example.com' }));
    await panel(page).locator('[data-channel="chat"]').click();
    await expect(chatWindow(page)).toBeVisible();
    const stub = await page.evaluate(() => (window as any).__stubAtLoad);
    expect(stub).toEqual({
      keys: ['_l', '_q', 'on', 'q'],
      queued: ['setVisitorData'],
      listened: ['chat.started', 'chat.unreadChange', 'ready', 'widget.stateChange'],
      config: { appId: APP_ID, launcher: { show: false }, language: { use: 'en' }, appearance: { windowColor: '#1f6feb', position: ['right', 20, 20] } },
    });
    expect(sandboxRequests.filter((url) => url.endsWith('/javascripts/insert.js'))).toHaveLength(1);
    // Chaport's own launcher stays hidden: ours opens it.
    await expect(page.locator('.chaport-launcher')).toBeHidden();
    // identify() made it to Chaport through the queued setVisitorData.
    const visitorId = await visitorIdOf(page);
    await expect.poll(() => stack.chaport.state.visitor(APP_ID, visitorId!).name).toBe('Ann Before');

    // Opening the chat again never loads the script twice.
    await visitorClosesChat(page);
    await launcher(page).click();
    await panel(page).locator('[data-channel="chat"]').click();
    await expect(chatWindow(page)).toBeVisible();
    expect(sandboxRequests.filter((url) => url.endsWith('/javascripts/insert.js'))).toHaveLength(1);
  });

  test('picking the chat opens Chaport\'s window and hides our panel; closing it brings our launcher back', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'all');
    await launcher(page).click();
    await panel(page).locator('[data-channel="chat"]').click();
    await expect(chatWindow(page)).toBeVisible();
    await expect(panel(page)).toHaveCount(0);
    await expect(launcher(page)).toHaveCount(0);
    await visitorClosesChat(page);
    await expect(launcher(page)).toBeVisible();
    await expect(launcher(page)).toHaveAttribute('aria-expanded', 'false');
    await expect(launcher(page)).toBeFocused(); // focus was in Chaport's window: it comes back to the launcher
    const events = (await recordedEvents(page)).filter((e) => ['open', 'close', 'channel:select'].includes(e.name));
    expect(events.map((e) => [e.name, e.payload])).toEqual([
      ['open', {}],
      ['channel:select', { channel: 'chat', type: 'chaport' }],
      ['close', {}],
    ]);
  });

  test('open(), openChannel(\'chat\') and close() stay consistent with Chaport\'s state', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'all');
    await waitForEvent(page, 'ready');
    // open(): our panel, Chaport's window untouched (not even loaded).
    await page.evaluate(() => (window as any).omniwidget('open'));
    await expect(panel(page)).toBeVisible();
    expect(await page.evaluate(() => typeof (window as any).chaport)).toBe('undefined');
    await page.evaluate(() => (window as any).omniwidget('close'));
    await expect(panel(page)).toHaveCount(0);
    await page.evaluate(() => (window as any).omniwidget('openChannel', 'chat'));
    await expect(chatWindow(page)).toBeVisible();
    expect(await page.evaluate(() => (window as any).chaport.getWidgetState())).toBe('expanded');
    await page.evaluate(() => (window as any).omniwidget('close'));
    await expect(chatWindow(page)).toBeHidden();
    expect(await page.evaluate(() => (window as any).chaport.getWidgetState())).toBe('collapsed');
    await expect(launcher(page)).toBeVisible();
    // toggle() closes whatever is open, Chaport's window included.
    await page.evaluate(() => (window as any).chaport.open());
    await expect(launcher(page)).toHaveCount(0);
    await page.evaluate(() => (window as any).omniwidget('toggle'));
    await expect(chatWindow(page)).toBeHidden();
    expect(await page.evaluate(() => (window as any).chaport.getWidgetState())).toBe('collapsed');
    await expect(launcher(page)).toBeVisible();
  });

  test('identify() after Chaport loaded reaches it through setVisitorData', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'chat-only');
    await launcher(page).click();
    await expect(chatWindow(page)).toBeVisible();
    await page.evaluate(() => (window as any).omniwidget('identify', { name: 'Ann After', email: 'ann.after@example.com', phone: '+79990001122', custom: { plan: 'pro' } }));
    const visitorId = await visitorIdOf(page);
    await expect.poll(() => stack.chaport.state.visitor(APP_ID, visitorId!)).toMatchObject({ name: 'Ann After', email: 'ann.after@example.com', phone: '+79990001122', custom: { plan: 'pro' } });
  });

  test('with the chat as the only channel, the launcher opens the chat directly', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'chat-only');
    await launcher(page).click();
    await expect(chatWindow(page)).toBeVisible();
    await expect(panel(page)).toHaveCount(0);
  });

  test('the RU region loads Chaport from app.chaport.ru', async ({ page, stack }) => {
    const requested = page.waitForRequest('https://app.chaport.ru/javascripts/insert.js');
    await page.route('https://app.chaport.ru/**', (route) => route.abort('connectionrefused'));
    await openWidgetPage(page, stack, 'ru-region');
    await launcher(page).click();
    await panel(page).locator('[data-channel="chat"]').click();
    await requested;
    await expect(panel(page).getByRole('alert')).toHaveText('The chat is unavailable right now. Please choose another way to contact us.');
  });

  for (const [widget, cause] of [
    ['broken-chat', /^Chaport's script could not be loaded from http:\/\/127\.0\.0\.1:\d+\/missing\/insert\.js$/],
    ['hanging-chat', /^Chaport did not become ready within 2 s/],
  ] as const) {
    test(`${widget === 'broken-chat' ? 'a script that fails (404)' : 'a script that never becomes ready'}: the panel says so and offers the other channels`, async ({ page, stack }) => {
      await openWidgetPage(page, stack, widget);
      await launcher(page).click();
      await panel(page).locator('[data-channel="chat"]').click();
      if (widget === 'hanging-chat') await expect(panel(page).getByRole('status')).toHaveText('Connecting to the chat…');
      await expect(panel(page).getByRole('alert')).toHaveText('The chat is unavailable right now. Please choose another way to contact us.');
      await expect(panel(page).locator('.body .channel')).toHaveText(['Telegram (opens in a new tab)']);
      const error = await waitForEvent(page, 'error');
      expect(error.payload).toMatchObject({ name: 'ChatError', code: 'chat_unavailable' });
      expect(error.payload.message).toMatch(cause);
      // Nothing hangs: the panel closes and reopens normally.
      await panel(page).getByRole('button', { name: 'Close' }).click();
      await launcher(page).click();
      await expect(channelItems(page)).toHaveCount(2);
    });
  }
});

test.describe('re-open on agent reply', () => {
  test('the visitor closed the chat; an operator replies from the console; it opens again by itself', async ({ page, context, stack }) => {
    const visitorId = await startConversation(page, stack, 'all');
    await visitorClosesChat(page);
    const console = await context.newPage();
    await console.goto(`${stack.sandbox}/console`);
    const visitor = console.locator(`[data-visitor="${visitorId}"]`);
    await expect(visitor.locator('.log')).toContainText('Hello, I have a question');
    await visitor.getByRole('textbox').fill('Hi! How can I help?');
    await visitor.getByRole('button', { name: 'Send' }).click();
    await expect(chatWindow(page)).toBeVisible();
    await expect(chatFrame(page).locator('li.operator-message')).toHaveText([/Hi! How can I help\?/]);
    const message = await waitForEvent(page, 'chat:message');
    expect(message.payload).toEqual({ channel: 'chat', reopened: true });
  });

  test('…also after the visitor moved to another page of the site', async ({ page, stack }) => {
    const visitorId = await startConversation(page, stack, 'all');
    await visitorClosesChat(page);
    const insertRequests: string[] = [];
    page.on('request', (request) => request.url().endsWith('/javascripts/insert.js') && insertRequests.push(request.url()));
    // Chaport's window on the next page listens for replies once its event stream answers (the sandbox subscribes it first).
    const listening = page.waitForResponse((response) => response.url().includes('/widget/api/events'));
    await page.locator('main a').click(); // a normal navigation to the next page
    await waitForEvent(page, 'ready');
    // The conversation is remembered: Chaport is loaded (hidden) so the reply can arrive here.
    await expect.poll(() => insertRequests.length).toBe(1);
    await expect(chatWindow(page)).toBeHidden();
    await listening;
    await operatorReplies(stack, visitorId, 'Still there? Here is the answer.');
    await expect(chatWindow(page)).toBeVisible();
    await expect(chatFrame(page).locator('li.operator-message').last()).toHaveText(/Here is the answer/);
    expect((await waitForEvent(page, 'chat:message')).payload.reopened).toBe(true);
  });

  test('a reply that arrived between pages re-opens the chat on the next page', async ({ page, stack }) => {
    const visitorId = await startConversation(page, stack, 'all');
    await visitorClosesChat(page);
    await page.goto('about:blank');
    await operatorReplies(stack, visitorId, 'Answered while you were away');
    await openWidgetPage(page, stack, 'all');
    await expect(chatWindow(page)).toBeVisible();
    await expect(chatFrame(page).locator('li.operator-message').last()).toHaveText(/while you were away/);
  });

  test('with reopenOnReply: false the window stays closed; the launcher shows an unread badge instead', async ({ page, stack }) => {
    const visitorId = await startConversation(page, stack, 'no-reopen');
    await visitorClosesChat(page);
    await operatorReplies(stack, visitorId, 'A reply you will see later');
    const message = await waitForEvent(page, 'chat:message');
    expect(message.payload).toEqual({ channel: 'chat', reopened: false });
    await expect(launcher(page).locator('.badge')).toHaveText('1');
    await expect(launcher(page)).toHaveAttribute('aria-label', 'Contact us. Unread messages: 1');
    await pageSettles(page);
    await expect(chatWindow(page)).toBeHidden();
    // The badge leads straight to the chat, and clears there.
    await launcher(page).click();
    await expect(chatWindow(page)).toBeVisible();
    await visitorClosesChat(page);
    await expect(launcher(page).locator('.badge')).toHaveCount(0);
  });

  test('never fights the visitor: closed twice within seconds, the next reply only raises the badge', async ({ page, stack }) => {
    const visitorId = await startConversation(page, stack, 'all');
    await visitorClosesChat(page);
    await operatorReplies(stack, visitorId, 'First reply');
    await expect(chatWindow(page)).toBeVisible();
    await visitorClosesChat(page); // closed again right after it re-opened itself
    await operatorReplies(stack, visitorId, 'Second reply');
    await expect(launcher(page).locator('.badge')).toHaveText('1');
    await pageSettles(page);
    await expect(chatWindow(page)).toBeHidden();
    const messages = (await recordedEvents(page)).filter((event) => event.name === 'chat:message').map((event) => event.payload.reopened);
    expect(messages).toEqual([true, false]);
    // Opening the chat themselves resets it: re-opening works again afterwards.
    await launcher(page).click();
    await expect(chatWindow(page)).toBeVisible();
    await visitorClosesChat(page);
    await operatorReplies(stack, visitorId, 'Third reply');
    await expect(chatWindow(page)).toBeVisible();
  });
});

/** What Chaport (the sandbox) told the page about replies: the unverified widget states, and chat.unreadChange. */
const recordChaportSignals = (page: Page) =>
  page.evaluate(() => {
    const seen: string[] = ((window as any).__chaportSignals = []);
    const chaport = (window as any).chaport;
    chaport.on('widget.stateChange', (event: { state?: string }) => ['unreadMessage', 'semiExpanded'].includes(event?.state ?? '') && seen.push(`state ${event.state}`));
    chaport.on('chat.unreadChange', (event: { count?: number }) => event?.count && seen.push('chat.unreadChange'));
  });
const chaportSignals = (page: Page): Promise<string[]> => page.evaluate(() => (window as any).__chaportSignals);

test.describe('re-open on reply, from the helpdesk\'s own signal', () => {
  test('a Chaport that signals nothing: the helpdesk tells the closed widget within its poll interval, and it re-opens', async ({ page, stack }) => {
    const visitorId = await startConversation(page, stack, 'quiet-chaport');
    await recordChaportSignals(page);
    await visitorClosesChat(page);
    await operatorReplies(stack, visitorId, 'An answer only the helpdesk can announce');
    await expect(chatWindow(page)).toBeVisible();
    await expect(chatFrame(page).locator('li.operator-message').last()).toHaveText(/only the helpdesk can announce/);
    expect((await waitForEvent(page, 'chat:message')).payload).toEqual({ channel: 'chat', reopened: true });
    // The widget asked the helpdesk; Chaport (the sandbox with ?signals=none) said nothing.
    expect(stack.requests.some((request) => request.path.startsWith('/v1/widgets/quiet-chaport/replies/'))).toBe(true);
    expect(await chaportSignals(page)).toEqual([]);
  });

  test('…and with reopenOnReply: false, the launcher shows the unread badge instead', async ({ page, stack }) => {
    const visitorId = await startConversation(page, stack, 'quiet-chaport-badge');
    await visitorClosesChat(page);
    await operatorReplies(stack, visitorId, 'Read me later');
    await expect(launcher(page).locator('.badge')).toHaveText('1');
    expect((await waitForEvent(page, 'chat:message')).payload).toEqual({ channel: 'chat', reopened: false });
    await expect(chatWindow(page)).toBeHidden();
  });

  test('a Chaport that tells of replies only by chat.unreadChange re-opens the chat too', async ({ page, stack }) => {
    const visitorId = await startConversation(page, stack, 'unread-change');
    await visitorClosesChat(page);
    await recordChaportSignals(page);
    await operatorReplies(stack, visitorId, 'Told by unreadChange');
    await expect(chatWindow(page)).toBeVisible();
    expect(await chaportSignals(page)).toEqual(['chat.unreadChange']);
    expect((await waitForEvent(page, 'chat:message')).payload).toEqual({ channel: 'chat', reopened: true });
  });
});

test.describe('consent', () => {
  test('without consent, no Chaport and no storage until the visitor accepts in the panel', async ({ page, stack }) => {
    const sandboxRequests: string[] = [];
    page.on('request', (request) => request.url().startsWith(stack.sandbox) && sandboxRequests.push(request.url()));
    await openWidgetPage(page, stack, 'all', { 'data-consent': 'false' });
    await launcher(page).click();
    await panel(page).locator('[data-channel="chat"]').click();
    await expect(panel(page).getByText('The chat is provided by Chaport, which stores cookies in your browser.')).toBeVisible();
    await pageSettles(page);
    expect(sandboxRequests).toEqual([]);
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);
    await panel(page).getByRole('button', { name: 'Accept and open the chat' }).click();
    await expect(chatWindow(page)).toBeVisible();
    expect((await waitForEvent(page, 'consent')).payload).toEqual({ granted: true });
  });
});
