import { startStack } from '../../demo/stack.ts';
import { channelItems, expect, launcher, openWidgetPage, panel, test, widgetSettles } from './fixtures.ts';

/** The lines a heading's words fall on: the words of each line, top to bottom (from the layout, not the markup). */
const headingLines = (page: import('@playwright/test').Page) =>
  panel(page)
    .locator('h2')
    .evaluate((heading) => {
      const text = heading.firstChild as Text;
      const lines = new Map<number, string[]>();
      for (const match of text.data.matchAll(/\S+/g)) {
        const range = document.createRange();
        range.setStart(text, match.index);
        range.setEnd(text, match.index + match[0].length);
        const top = Math.round(range.getClientRects()[0]!.top);
        lines.set(top, [...(lines.get(top) ?? []), match[0]]);
      }
      return [...lines.entries()].sort(([a], [b]) => a - b).map(([, words]) => words);
    });

test.describe('polish (#11)', () => {
  test('open and close are animated; the closing panel leaves once its animation ends', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'all');
    await launcher(page).click();
    await expect(panel(page)).toBeVisible();
    expect(await panel(page).evaluate((element) => [getComputedStyle(element).animationName, getComputedStyle(element).animationDuration])).toEqual(['ow-in', '0.22s']);
    // Close and look in the same task (no timing involved): the panel is still there, running its closing animation.
    const closing = await panel(page).evaluate((element) => {
      element.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
      const still = element.getRootNode() instanceof ShadowRoot && element.isConnected;
      return { still, animations: element.getAnimations().map((animation) => (animation as CSSAnimation).animationName) };
    });
    expect(closing).toEqual({ still: true, animations: ['ow-out'] });
    await expect(panel(page)).toHaveCount(0);
    await expect(launcher(page)).toBeVisible();
  });

  test('under prefers-reduced-motion nothing moves: the panel opens and closes at once', async ({ page, stack }) => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await openWidgetPage(page, stack, 'all');
    await launcher(page).click();
    await expect(panel(page)).toBeVisible();
    expect(await panel(page).evaluate((element) => element.getAnimations().length)).toBe(0);
    expect(await launcher(page).evaluate((element) => getComputedStyle(element).transitionDuration)).toBe('0s');
    await page.keyboard.press('Escape');
    // No closing state to wait for: the panel is gone in the same task that closed it.
    expect(await page.locator('omniwidget-root .panel').count()).toBe(0);
  });

  for (const [width, locale] of [[390, 'en'], [390, 'ru'], [320, 'ru'], [1280, 'ru']] as const) {
    test(`the title never leaves one word on its own line (${locale}, ${width} px)`, async ({ page, stack }) => {
      await page.setViewportSize({ width, height: 800 });
      await openWidgetPage(page, stack, 'all', { 'data-locale': locale });
      await launcher(page).click();
      await expect(channelItems(page).first()).toBeVisible();
      await widgetSettles(page);
      const lines = await headingLines(page);
      expect(lines.flat().join(' ')).toBe(locale === 'ru' ? 'Как вам удобнее связаться с нами?' : 'How would you like to contact us?');
      if (lines.length > 1) expect(lines.at(-1)!.length, JSON.stringify(lines)).toBeGreaterThan(1);
    });
  }

  test('phone and Viber show their number, for a desktop where tel: and viber: open nothing', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'all');
    await launcher(page).click();
    await expect(panel(page).locator('[data-channel="call"] .sub')).toHaveText('+74950001122');
    await expect(panel(page).locator('[data-channel="viber"] .sub')).toHaveText('+79990001122');
    await expect(panel(page).locator('[data-channel="call"]')).toHaveAttribute('href', 'tel:+74950001122');
  });

  test('the launcher turns its bubble into a cross while the panel is open', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'all');
    const shownIcons = () => launcher(page).locator('svg:not(.off)').count();
    await expect(launcher(page)).toBeVisible();
    expect(await shownIcons()).toBe(1);
    const closedIcon = await launcher(page).locator('svg:not(.off) path').getAttribute('d');
    await launcher(page).click();
    await expect(launcher(page)).toHaveAttribute('aria-expanded', 'true');
    expect(await shownIcons()).toBe(1);
    expect(await launcher(page).locator('svg:not(.off) path').getAttribute('d')).not.toBe(closedIcon);
  });
});

test.describe('the demo on a 390 px phone', () => {
  test('no page is wider than the screen, and the open panel fills it', async ({ browser }) => {
    const demo = await startStack();
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    try {
      for (const path of ['/', '/about', '/pricing', '/ru', '/pure-chat', '/own-button', '/spa', '/inbox']) {
        await page.goto(`${demo.site}${path}`);
        await page.waitForLoadState('networkidle');
        expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(390);
      }
      await page.goto(`${demo.site}/`);
      await launcher(page).click();
      await expect(panel(page)).toBeVisible();
      await widgetSettles(page);
      expect(await panel(page).boundingBox()).toEqual({ x: 0, y: 0, width: 390, height: 844 });
    } finally {
      await context.close();
      await demo.close();
    }
  });
});
