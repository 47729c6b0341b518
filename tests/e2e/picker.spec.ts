import { audit } from './axe.ts';
import { channelItems, expect, launcher, openWidgetPage, panel, test, waitForEvent, widgetSettles } from './fixtures.ts';

test.describe('channel picker', () => {
  test('the launcher opens a panel listing the configured channels in order, with icons and labels', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'all');
    await expect(launcher(page)).toBeVisible();
    await expect(launcher(page)).toHaveAttribute('aria-label', 'Contact us');
    await expect(launcher(page)).toHaveAttribute('aria-expanded', 'false');
    await launcher(page).click();
    await expect(panel(page)).toBeVisible();
    await expect(launcher(page)).toHaveAttribute('aria-expanded', 'true');
    await expect(panel(page).getByRole('heading')).toHaveText('How would you like to contact us?');
    await expect(channelItems(page)).toHaveText([
      'Online chat',
      'Telegram (opens in a new tab)',
      'WhatsApp (opens in a new tab)',
      'Viber +79990001122',
      'VK (opens in a new tab)',
      'Messenger (opens in a new tab)',
      'E-mail',
      'Call us +74950001122',
      'Help center (opens in a new tab)',
      'Write from your mail app',
    ]);
    for (const item of await channelItems(page).all()) await expect(item.locator('svg path')).toHaveCount(1);
    await waitForEvent(page, 'open');
  });

  test('messenger channels are real links to the right deep links', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'all');
    await launcher(page).click();
    const link = (id: string) => panel(page).locator(`a[data-channel="${id}"]`);
    const expected: [string, string, boolean][] = [
      ['tg', 'https://t.me/acme_support', true],
      ['wa', 'https://wa.me/79990001122?text=Hello%20ACME', true],
      ['viber', 'viber://chat?number=%2B79990001122', false],
      ['vk', 'https://vk.me/acme', true],
      ['fb', 'https://m.me/acme.support', true],
      ['call', 'tel:+74950001122', false],
      ['kb', 'https://acme.example/help', true],
      ['mailto', 'mailto:help@acme.example', false],
    ];
    for (const [id, href, newTab] of expected) {
      await expect(link(id)).toHaveAttribute('href', href);
      if (newTab) {
        await expect(link(id)).toHaveAttribute('target', '_blank');
        await expect(link(id)).toHaveAttribute('rel', 'noopener noreferrer');
        await expect(link(id)).toContainText('(opens in a new tab)');
      } else await expect(link(id)).not.toHaveAttribute('target');
    }
    // A click reports the choice; the browser follows the link itself (intercepted here: no network).
    await page.context().route('https://t.me/**', (route) => route.fulfill({ body: 'telegram' }));
    const popup = page.waitForEvent('popup');
    await link('tg').click();
    expect((await popup).url()).toBe('https://t.me/acme_support');
    await waitForEvent(page, 'channel:select', (event) => event.payload.channel === 'tg' && event.payload.type === 'telegram');
  });

  test('the e-mail channel opens a form in the panel, with a way back', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'all');
    await launcher(page).click();
    await panel(page).locator('[data-channel="mail"]').click();
    await expect(panel(page).getByRole('heading')).toHaveText('Write to us');
    await expect(panel(page).getByLabel('Your name (optional)')).toBeFocused();
    await panel(page).getByRole('button', { name: 'Back' }).click();
    await expect(channelItems(page)).toHaveCount(10);
  });

  test('a single e-mail form skips the picker', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'mail-only');
    await launcher(page).click();
    await expect(panel(page).getByRole('heading')).toHaveText('Write to us');
    await expect(panel(page).getByRole('button', { name: 'Back' })).toHaveCount(0);
  });

  test('speaks Russian on a Russian page, English by default, and as the locale option says', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'all', { lang: 'ru' });
    await expect(launcher(page)).toHaveAttribute('aria-label', 'Связаться с нами');
    await launcher(page).click();
    await expect(panel(page).getByRole('heading')).toHaveText('Как вам удобнее связаться с нами?');
    await expect(channelItems(page).first()).toHaveText('Онлайн-чат');
    await expect(panel(page).locator('[data-channel="kb"]')).toContainText('Справочный центр');
    await expect(panel(page).locator('.ow')).toHaveCount(0); // the panel is inside the root
    await expect(page.locator('omniwidget-root .ow')).toHaveAttribute('lang', 'ru');

    await openWidgetPage(page, stack, 'all', { lang: 'ru', 'data-locale': 'en' });
    await expect(launcher(page)).toHaveAttribute('aria-label', 'Contact us');

    // The configuration's locale applies when the page does not say.
    await openWidgetPage(page, stack, 'ru', { lang: '' });
    await expect(launcher(page)).toHaveAttribute('aria-label', 'Связаться с нами');
  });

  test('is keyboard accessible: focus moves into the panel, Escape closes it and focus returns', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'all');
    await expect(launcher(page)).toBeVisible();
    await launcher(page).focus();
    await page.keyboard.press('Enter');
    await expect(panel(page)).toBeVisible();
    await expect(panel(page)).toHaveAttribute('role', 'dialog');
    await expect(panel(page)).toHaveAttribute('aria-labelledby', 'ow-title');
    await expect(channelItems(page).first()).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(channelItems(page).nth(1)).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(panel(page)).toHaveCount(0);
    await expect(launcher(page)).toBeFocused();
    await expect(launcher(page)).toHaveAttribute('aria-expanded', 'false');
    await waitForEvent(page, 'close');
  });

  test('has no accessibility violations (axe-core), closed and open, in both languages', async ({ browser, stack }) => {
    // axe is injected as an inline script, which the host page's strict CSP would (rightly) refuse.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    for (const lang of ['en', 'ru']) {
      await openWidgetPage(page, stack, 'all', { lang });
      await expect(launcher(page)).toBeVisible();
      expect(await audit(page, 'omniwidget-root')).toEqual([]);
      await launcher(page).click();
      expect(await audit(page, 'omniwidget-root')).toEqual([]);
      await panel(page).locator('[data-channel="mail"]').click();
      await panel(page).getByRole('button', { name: /Send|Отправить/ }).click(); // shows inline errors
      await expect(panel(page).locator('.error').first()).toBeVisible();
      expect(await audit(page, 'omniwidget-root')).toEqual([]);
    }
    await context.close();
  });

  test('fills the screen on a phone, with 16px inputs', async ({ page, stack }) => {
    await page.setViewportSize({ width: 375, height: 700 });
    await openWidgetPage(page, stack, 'mail-only');
    await launcher(page).click();
    await widgetSettles(page);
    const box = await panel(page).boundingBox();
    expect(box).toEqual({ x: 0, y: 0, width: 375, height: 700 });
    await expect(launcher(page)).toBeHidden();
    expect(await panel(page).getByLabel('E-mail').evaluate((input) => getComputedStyle(input).fontSize)).toBe('16px');
    await panel(page).getByRole('button', { name: 'Close' }).click();
    await expect(launcher(page)).toBeVisible();
  });

  test('follows position, theme colour and z-index', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'left', { 'data-z-index': '1234' });
    await expect(launcher(page)).toBeVisible();
    const box = (await launcher(page).boundingBox())!;
    expect(box.x).toBe(20);
    const style = await launcher(page).evaluate((button) => ({ z: getComputedStyle(button).zIndex, bg: getComputedStyle(button).backgroundColor, fg: getComputedStyle(button).color }));
    // A light theme colour gets dark text, for contrast.
    expect(style).toEqual({ z: '1234', bg: 'rgb(255, 211, 61)', fg: 'rgb(0, 0, 0)' });

    await openWidgetPage(page, stack, 'left', { 'data-position': 'right' });
    await expect(launcher(page)).toBeVisible();
    expect((await launcher(page).boundingBox())!.x).toBe(1280 - 20 - 60);
  });
});
