import type { Page } from '@playwright/test';
import { expect, launcher, openWidgetPage, panel, presenceIntervalsPass, test, waitForEvent, widgetSettles } from './fixtures.ts';

const PROPERTIES = [
  'display', 'position', 'top', 'right', 'bottom', 'left', 'width', 'height', 'margin', 'padding', 'border', 'border-radius',
  'font-family', 'font-size', 'font-weight', 'line-height', 'letter-spacing', 'text-transform', 'color', 'background-color',
  'opacity', 'transform', 'filter', 'z-index', 'direction', 'fill', 'stroke', 'box-sizing', 'visibility',
];

/** Computed styles of every element of the widget (through its shadow root) and its bounding boxes. */
const widgetStyles = (page: Page) =>
  page.evaluate((properties) => {
    const host = document.querySelector('omniwidget-root')!;
    const elements = [host, ...host.shadowRoot!.querySelectorAll('*')];
    return elements.map((element) => {
      const style = getComputedStyle(element);
      const box = element.getBoundingClientRect();
      return { tag: element.tagName, class: element.getAttribute('class'), box: [box.x, box.y, box.width, box.height].map(Math.round), ...Object.fromEntries(properties.map((p) => [p, style.getPropertyValue(p)])) };
    });
  }, PROPERTIES);

/** Computed styles of the host page's own elements. */
const pageStyles = (page: Page) =>
  page.evaluate((properties) =>
    [...document.querySelectorAll('html, body, main, h1, p, a, button, div')].filter((element) => !element.closest('omniwidget-root')).map((element) => {
      const style = getComputedStyle(element);
      return Object.fromEntries(properties.map((p) => [p, style.getPropertyValue(p)]));
    }),
  PROPERTIES);

test.describe('host-page citizenship', () => {
  test('an aggressive host stylesheet does not change the widget', async ({ page, stack }) => {
    const snapshot = async (params: Record<string, string>) => {
      await openWidgetPage(page, stack, 'all', params);
      await launcher(page).click();
      await panel(page).locator('[data-channel="mail"]').click();
      await panel(page).getByRole('button', { name: 'Send' }).click(); // error states too
      await widgetSettles(page);
      return widgetStyles(page);
    };
    const clean = await snapshot({});
    const reset = await snapshot({ reset: '1' });
    expect(reset.length).toBeGreaterThan(20);
    // Sanity: the reset really applies to the host page.
    expect(await page.locator('h1.host-title').evaluate((h1) => getComputedStyle(h1).fontFamily)).toContain('Comic Sans');
    expect(reset).toEqual(clean);
  });

  test('the widget\'s CSS does not touch the host page', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'all', { noscript: '1' });
    const before = { styles: await pageStyles(page), sheets: await page.evaluate(() => document.styleSheets.length) };
    await openWidgetPage(page, stack, 'all');
    await launcher(page).click();
    await expect(panel(page)).toBeVisible();
    expect(await pageStyles(page)).toEqual(before.styles);
    expect(await page.evaluate(() => ({ sheets: document.styleSheets.length, adopted: document.adoptedStyleSheets.length, styleTags: document.querySelectorAll('style').length }))).toEqual({
      sheets: before.sheets,
      adopted: 0,
      styleTags: 0,
    });
  });

  test('works on a page served with Content-Security-Policy: default-src \'self\'', async ({ page, stack }) => {
    const violations: string[] = [];
    page.on('console', (message) => message.text().includes('Content Security Policy') && violations.push(message.text()));
    await page.goto(`${stack.api}/test/csp/mail-only?record=1`);
    expect((await page.request.get(`${stack.api}/test/csp/mail-only`)).headers()['content-security-policy']).toBe("default-src 'self'");
    await expect(launcher(page)).toBeVisible();
    await launcher(page).click();
    await panel(page).getByLabel('E-mail').fill('csp@example.com');
    await panel(page).getByLabel('Message').fill('Sent under a strict CSP');
    await panel(page).getByRole('button', { name: 'Send' }).click();
    await waitForEvent(page, 'message:sent');
    // Styled by the constructable stylesheet, which CSP allows without 'unsafe-inline'.
    expect(await launcher(page).evaluate((button) => getComputedStyle(button).borderRadius)).toBe('50%');
    expect(violations).toEqual([]);
  });

  test('destroy() leaves no node, listener, timer, global or request behind', async ({ browser, page, stack }) => {
    // Attribute every listener, timer and observer to the script that made it.
    await page.addInitScript(() => {
      // The loader and every chunk it loads: /omniwidget.js and /omniwidget/<chunk>.js.
      const ours = () => /\/omniwidget(?:\.js|\/[\w-]+\.js)/.test(new Error().stack ?? '');
      const live = { listeners: new Map<string, { type: string; target: any }>(), timeouts: new Set<unknown>(), intervals: new Set<unknown>(), observers: new Set<MutationObserver>(), channels: new Set<BroadcastChannel>() };
      (window as any).__live = live;
      const add = EventTarget.prototype.addEventListener;
      const remove = EventTarget.prototype.removeEventListener;
      const keyOf = (target: unknown, type: string, listener: unknown) => {
        const ids = ((window as any).__ids ??= new WeakMap());
        for (const item of [target, listener]) if (item && !ids.has(item)) ids.set(item, ids.size + Math.random());
        return `${type}:${ids.get(target)}:${ids.get(listener)}`;
      };
      EventTarget.prototype.addEventListener = function (type: string, listener: any, options?: any) {
        if (ours() && !(typeof options === 'object' && options?.once)) live.listeners.set(keyOf(this, type, listener), { type, target: this });
        return add.call(this, type, listener, options);
      };
      EventTarget.prototype.removeEventListener = function (type: string, listener: any, options?: any) {
        live.listeners.delete(keyOf(this, type, listener));
        return remove.call(this, type, listener, options);
      };
      const setTimeout_ = window.setTimeout;
      const clearTimeout_ = window.clearTimeout;
      window.setTimeout = ((fn: any, ms?: number, ...args: any[]) => {
        const mine = ours();
        const id = setTimeout_(() => {
          live.timeouts.delete(id);
          typeof fn === 'function' ? fn(...args) : undefined;
        }, ms);
        if (mine) live.timeouts.add(id);
        return id;
      }) as typeof setTimeout;
      window.clearTimeout = ((id: any) => (live.timeouts.delete(id), clearTimeout_(id))) as typeof clearTimeout;
      const setInterval_ = window.setInterval;
      const clearInterval_ = window.clearInterval;
      window.setInterval = ((fn: any, ms?: number) => {
        const id = setInterval_(fn, ms);
        if (ours()) live.intervals.add(id);
        return id;
      }) as typeof setInterval;
      window.clearInterval = ((id: any) => (live.intervals.delete(id), clearInterval_(id))) as typeof clearInterval;
      const observe = MutationObserver.prototype.observe;
      const disconnect = MutationObserver.prototype.disconnect;
      MutationObserver.prototype.observe = function (...args: any[]) {
        if (ours()) live.observers.add(this);
        return observe.apply(this, args as any);
      };
      MutationObserver.prototype.disconnect = function () {
        live.observers.delete(this);
        return disconnect.call(this);
      };
      const Channel = window.BroadcastChannel;
      window.BroadcastChannel = class extends Channel {
        constructor(name: string) {
          super(name);
          if (ours()) live.channels.add(this);
        }
        override close() {
          live.channels.delete(this);
          super.close();
        }
      };
    });
    await page.goto(`${stack.site}/t/presence?noscript=1`);
    const globalsBefore: string[] = await page.evaluate(() => Object.keys(window));
    await openWidgetPage(page, stack, 'presence', { record: '', 'data-timeout': '2000' });
    await expect(launcher(page)).toBeVisible();
    // Exercise it: the panel, the chat (Chaport loads), the form, presence polling.
    await launcher(page).click();
    await panel(page).locator('[data-channel="chat"]').click();
    await expect(page.locator('.chaport-container .chaport-window')).toBeVisible();
    const counts = () =>
      page.evaluate(() => {
        const live = (window as any).__live;
        // A listener can outlive destroy() only on a target that can still fire: not a detached node, not an aborted signal.
        const alive = [...live.listeners.values()].filter(({ target }) => !(target instanceof Node && !target.isConnected) && !(target instanceof AbortSignal && target.aborted));
        (window as any).__alive = alive.map(({ type, target }) => `${type} on ${target?.constructor?.name}`);
        return { listeners: alive.length, timeouts: live.timeouts.size, intervals: live.intervals.size, observers: live.observers.size, channels: live.channels.size };
      });
    expect((await counts()).listeners).toBeGreaterThan(0); // the instrumentation sees what the SDK does

    await page.evaluate(() => (window as any).omniwidget('destroy'));
    let requestsAfter = 0;
    page.on('request', (request) => request.url().startsWith(stack.api) && requestsAfter++);
    await presenceIntervalsPass(browser, stack, 2);
    expect(await counts(), await page.evaluate(() => (window as any).__alive.join(', '))).toEqual({ listeners: 0, timeouts: 0, intervals: 0, observers: 0, channels: 0 });
    expect(requestsAfter).toBe(0);
    expect(await page.locator('omniwidget-root').count()).toBe(0);
    expect(await page.locator('.chaport-container, script[src*="insert.js"]').count()).toBe(0);
    const globalsAfter: string[] = await page.evaluate(() => Object.keys(window));
    expect(globalsAfter.filter((key) => !globalsBefore.includes(key) && !key.startsWith('__'))).toEqual([]);
  });

  test('survives SPA navigation that replaces the whole body', async ({ page, stack }) => {
    await openWidgetPage(page, stack, 'all');
    await launcher(page).click();
    await panel(page).locator('[data-channel="mail"]').click();
    await panel(page).getByLabel('Message').fill('Typed before navigating');
    await page.evaluate(() => {
      history.pushState({}, '', '/spa/next');
      const body = document.createElement('body');
      body.innerHTML = '<main><h1>New view</h1></main>';
      document.body = body;
    });
    await expect(page.locator('h1')).toHaveText('New view');
    await expect(panel(page).getByLabel('Message')).toHaveValue('Typed before navigating');
    await page.evaluate(() => document.body.replaceChildren());
    await expect(launcher(page)).toBeVisible();
  });
});
