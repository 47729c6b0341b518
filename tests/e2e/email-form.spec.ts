import type { Page } from '@playwright/test';
import { expect, launcher, openWidgetPage, panel, test, waitForEvent } from './fixtures.ts';
import { listMessages } from '../../src/server/messages/commands.ts';

const form = (page: Page) => ({
  name: panel(page).getByLabel('Your name (optional)'),
  email: panel(page).getByLabel('E-mail'),
  message: panel(page).getByLabel('Message'),
  send: panel(page).getByRole('button', { name: 'Send' }),
  status: panel(page).getByRole('status'),
});

test.describe('the e-mail form', () => {
  test('validates inline, names each problem next to its field, and sends nothing invalid', async ({ page, stack }) => {
    let posted = 0;
    await page.route(`${stack.api}/v1/widgets/mail-only/messages`, (route) => (posted++, route.continue()));
    await openWidgetPage(page, stack, 'mail-only');
    await launcher(page).click();
    const f = form(page);
    await f.send.click();
    await expect(f.email).toHaveAttribute('aria-invalid', 'true');
    await expect(f.email).toBeFocused();
    await expect(panel(page).locator('#ow-email-error')).toHaveText('Please fill in this field.');
    await expect(panel(page).locator('#ow-message-error')).toHaveText('Please fill in this field.');
    await expect(f.email).toHaveAttribute('aria-describedby', 'ow-email-error');

    await f.email.fill('not-an-address');
    await f.email.blur();
    await expect(panel(page).locator('#ow-email-error')).toHaveText('Please enter a valid e-mail address, such as name@example.com.');
    await f.email.fill('ann@example.com');
    await expect(panel(page).locator('#ow-email-error')).toHaveCount(0);
    await expect(f.email).not.toHaveAttribute('aria-invalid');
    expect(posted).toBe(0);
  });

  test('sends once, says so, and the helpdesk stores it with the page it came from', async ({ page, stack }) => {
    const since = Date.now();
    await openWidgetPage(page, stack, 'mail-only');
    await launcher(page).click();
    const f = form(page);
    await f.name.fill('Ann');
    await f.email.fill('ann@example.com');
    const text = `Hello from the test ${Date.now()}`;
    await f.message.fill(text);
    await f.send.click();
    await expect(f.status).toHaveText('Thank you! Your message has been sent. We will reply to ann@example.com.');
    const sent = await waitForEvent(page, 'message:sent');
    // Once: one request, one stored message with this text.
    expect(stack.requests.filter((request) => request.at >= since && request.method === 'POST' && request.path === '/v1/widgets/mail-only/messages')).toHaveLength(1);
    const stored = (await stack.db.read((q) => listMessages(q, 'mail-only'))).filter((message) => message.message === text);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id: sent.payload.id, name: 'Ann', email: 'ann@example.com', origin: stack.site });
    expect(stored[0]!.page).toMatch(new RegExp(`^${stack.site}/t/mail-only`));
    await panel(page).getByRole('button', { name: 'Write another message' }).click();
    await expect(f.message).toHaveValue('');
    await expect(f.email).toHaveValue('ann@example.com');
  });

  test('delivers exactly once across a lost response, a network failure and a reload', async ({ page, stack }) => {
    const url = `${stack.api}/v1/widgets/mail-only/messages`;
    const keys: string[] = [];
    // 1st attempt reaches the server but the answer is lost; then the network is down.
    let mode: 'lose-answer' | 'offline' | 'online' = 'lose-answer';
    await page.route(url, async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      keys.push(route.request().headers()['idempotency-key']!);
      if (mode === 'online') return route.continue();
      if (mode === 'lose-answer') {
        await route.fetch(); // stored by the server…
        mode = 'offline';
      }
      return route.abort('internetdisconnected'); // …but the browser never hears back
    });
    await openWidgetPage(page, stack, 'mail-only');
    await launcher(page).click();
    const f = form(page);
    const text = `Exactly once ${Date.now()}`;
    await f.email.fill('ann@example.com');
    await f.message.fill(text);
    await f.send.click();
    await expect(f.status).toHaveText('No connection. Your message is saved on this device and will be sent automatically.');
    await expect(panel(page).getByRole('button', { name: 'Try again now' })).toBeVisible();
    await panel(page).getByRole('button', { name: 'Try again now' }).click();
    await expect.poll(() => keys.length).toBeGreaterThanOrEqual(2);

    // The visitor leaves and comes back; the network is back too.
    mode = 'online';
    await page.reload();
    await waitForEvent(page, 'message:sent');
    await expect.poll(async () => (await stack.db.read((q) => listMessages(q, 'mail-only'))).filter((m) => m.message === text).length).toBe(1);
    expect(new Set(keys).size).toBe(1); // every attempt carried the same idempotency key
    expect(await page.evaluate(() => Object.keys(localStorage).filter((key) => key.includes(':outbox:')))).toEqual([]);
  });

  test('a message the server refuses stays in the form with the reason', async ({ page, stack }) => {
    await page.route(`${stack.api}/v1/widgets/mail-only/messages`, (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/json',
        headers: { 'Access-Control-Allow-Origin': stack.site },
        body: JSON.stringify({ error: { code: 'invalid_body', message: 'email: this domain does not accept mail', field: 'email' } }),
      }),
    );
    await openWidgetPage(page, stack, 'mail-only');
    await launcher(page).click();
    const f = form(page);
    await f.email.fill('ann@example.com');
    await f.message.fill('Keep me');
    await f.send.click();
    await expect(panel(page).getByRole('alert')).toHaveText('The message was not accepted: email: this domain does not accept mail');
    await expect(f.message).toHaveValue('Keep me');
    const error = await waitForEvent(page, 'error');
    expect(error.payload).toMatchObject({ name: 'MessageError', code: 'message_rejected' });
  });

  test('the draft survives closing and reopening the panel', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'mail-only');
    await launcher(page).click();
    await form(page).message.fill('Half-written');
    await launcher(page).click();
    await expect(panel(page)).toHaveCount(0);
    await launcher(page).click();
    await expect(form(page).message).toHaveValue('Half-written');
  });
});
