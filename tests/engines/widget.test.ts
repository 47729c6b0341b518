import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_TOKEN, type Stack } from '../../demo/stack.ts';
import { listMessages } from '../../src/server/messages/commands.ts';
import { findStaffByEmail, hashPassword } from '../../src/server/staff/staff.ts';
import { APP_ID, startTestStack, type ApiRequest } from '../support/test-stack.ts';
import { ENGINES, openEngine, type EnginePage } from './engines.ts';

/**
 * The widget's essential behaviours in the three engines (#12), written once and run in each: Chromium, Firefox,
 * WebKit. Real input (pointer clicks at viewport points, typed keys); the page is read with scripts, the one thing
 * every driver shares. Classic WebDriver (WebKit) has no console or network events, so nothing here relies on them:
 * requests are counted where the server receives them, loads are read from the page's Resource Timing.
 */

let stack: Stack & { requests: ApiRequest[] };
/** Widgets whose next e-mail message has its answer lost on the way back (stored, but the browser gets a 503). */
const loseNextAnswerOf = new Set<string>();

beforeAll(async () => {
  stack = await startTestStack({
    async aroundApi(request, forward) {
      const widget = request.method === 'POST' ? new URL(request.url).pathname.match(/^\/v1\/widgets\/([\w-]+)\/messages$/)?.[1] : undefined;
      const response = await forward(request);
      if (!widget || !loseNextAnswerOf.delete(widget)) return response;
      return new Response('lost', { status: 503, headers: { 'Access-Control-Allow-Origin': stack.site } });
    },
  });
}, 60_000);
afterAll(() => stack?.close());

/** Waits for `body` (a page script) to return something truthy: a condition, never a fixed time. */
async function until<T>(page: EnginePage, body: string, what: string, ...args: unknown[]): Promise<T> {
  try {
    return await vi.waitFor(
      async () => {
        const value = await page.run<T>(body, ...args);
        if (!value) throw new Error('not yet');
        return value;
      },
      { timeout: 20_000, interval: 50 },
    );
  } catch {
    const seen = await page.run<string>(`${IN_WIDGET} return (inWidget('.ow')?.textContent ?? '(no widget)') + ' | events: ' + JSON.stringify((window.__events ?? []).map((e) => e.name + (e.name === 'error' ? ':' + e.payload.message : '')));`).catch(String);
    throw new Error(`${page.engine}: timed out waiting for ${what}; the widget shows: ${seen}`);
  }
}

const IN_WIDGET = `const inWidget = (selector) => document.querySelector('omniwidget-root')?.shadowRoot?.querySelector(selector);`;
/**
 * Clicks an element of the widget (or of the page) where a visitor would: its centre, once it has a box that stands
 * still (the panel's opening animation moves it for a moment).
 */
async function clickOn(page: EnginePage, selector: string, where: 'widget' | 'page' = 'widget'): Promise<void> {
  const box = await until<{ x: number; y: number }>(
    page,
    `${IN_WIDGET} const find = () => (args[1] === 'page' ? document.querySelector(args[0]) : inWidget(args[0]))?.getBoundingClientRect();
     const before = find();
     await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
     const box = find();
     const still = before && box && before.x === box.x && before.y === box.y && before.width === box.width;
     return still && box.width > 0 && box.height > 0 ? { x: box.x + box.width / 2, y: box.y + box.height / 2 } : null;`,
    `${selector} to be visible`,
    selector,
    where,
  );
  await page.click(box.x, box.y);
}
const events = (page: EnginePage) => page.run<{ name: string; payload: any }[]>('return window.__events ?? [];');
const host = (widget: string, query = '') => `${stack.site}/t/${widget}?record=1${query}`;

describe.each(ENGINES)('%s', (engine) => {
  let page: EnginePage;
  beforeAll(async () => {
    page = await openEngine(engine);
  }, 60_000);
  afterAll(() => page?.close());

  it('the launcher opens the picker, and each channel is the right link', async () => {
    await page.goto(host('all'));
    await clickOn(page, '.launcher');
    await until(page, `${IN_WIDGET} return inWidget('.panel')?.querySelectorAll('.channel').length === 10;`, 'ten channels');
    const links = await page.run<Record<string, [string | null, string | null]>>(
      `${IN_WIDGET} return Object.fromEntries([...inWidget('.panel').querySelectorAll('.channel')].map((item) => [item.dataset.channel, [item.getAttribute('href'), item.getAttribute('target')]]));`,
    );
    expect(links).toEqual({
      chat: [null, null],
      tg: ['https://t.me/acme_support', '_blank'],
      wa: ['https://wa.me/79990001122?text=Hello%20ACME', '_blank'],
      viber: ['viber://chat?number=%2B79990001122', null],
      vk: ['https://vk.me/acme', '_blank'],
      fb: ['https://m.me/acme.support', '_blank'],
      mail: [null, null],
      call: ['tel:+74950001122', null],
      kb: ['https://acme.example/help', '_blank'],
      mailto: ['mailto:help@acme.example', null],
    });
    expect(await page.run(`${IN_WIDGET} return inWidget('.launcher').getAttribute('aria-expanded');`)).toBe('true');
    // Animated open and close: the panel leaves once its closing animation has ended, in every engine.
    expect(await page.run(`${IN_WIDGET} return getComputedStyle(inWidget('.panel')).animationName;`)).toBe('ow-in');
    await clickOn(page, '.panel .head button[aria-label="Close"]');
    await until(page, `${IN_WIDGET} return !inWidget('.panel') && inWidget('.launcher').getAttribute('aria-expanded') === 'false';`, 'the panel to close');
  });

  it('the e-mail form delivers exactly once across a first answer lost on its way back', async () => {
    const text = `Hello from ${engine} ${Date.now()}`;
    loseNextAnswerOf.add('mail-only');
    const since = Date.now();
    await page.goto(host('mail-only'));
    await clickOn(page, '.launcher');
    await clickOn(page, '#ow-email');
    await page.type('ann@example.com');
    await clickOn(page, '#ow-message');
    await page.type(text);
    await clickOn(page, 'button[type=submit]');
    await until(page, `${IN_WIDGET} return inWidget('.state.success')?.textContent.includes('Thank you!');`, 'the message to be confirmed');
    const posts = stack.requests.filter((request) => request.at >= since && request.method === 'POST' && request.path === '/v1/widgets/mail-only/messages');
    expect(posts.map((post) => post.status)).toEqual([503, 201]);
    const stored = (await stack.db.read((q) => listMessages(q, 'mail-only'))).filter((message) => message.message === text);
    expect(stored).toHaveLength(1);
  });

  it('Chaport loads only when the chat is picked, and re-opens by itself when an operator replies', async () => {
    const insertLoaded = "return performance.getEntriesByType('resource').some((entry) => entry.name.endsWith('/javascripts/insert.js'));";
    await page.goto(host('all'));
    await clickOn(page, '.launcher');
    await until(page, `${IN_WIDGET} return !!inWidget('.panel [data-channel="chat"]');`, 'the chat in the picker');
    expect(await page.run(insertLoaded)).toBe(false);
    await clickOn(page, '.panel [data-channel="chat"]');
    await until(page, insertLoaded, "Chaport's script");
    const frame = await until<{ left: number; right: number; bottom: number }>(
      page,
      "const box = document.querySelector('.chaport-container .chaport-window iframe')?.getBoundingClientRect(); return box && box.height > 100 ? { left: box.left, right: box.right, bottom: box.bottom } : null;",
      "Chaport's window",
    );
    // The visitor writes in Chaport's window (a cross-origin frame: its form sits at the bottom, the textarea on the left).
    await page.click(frame.left + 40, frame.bottom - 28);
    await page.type('Hello, I have a question');
    await page.click(frame.right - 30, frame.bottom - 28);
    const visitorId = await until<string>(page, 'return localStorage.getItem(args[0]);', "Chaport's visitor", `chaport-sandbox:${APP_ID}:visitor`);
    await until(page, "return JSON.parse(localStorage.getItem('omniwidget:all:chat') ?? 'null')?.at;", 'the conversation to be remembered');
    // The visitor closes Chaport's window; an operator answers over Chaport's REST API.
    await page.run('window.chaport.close(); return true;');
    await until(page, "return getComputedStyle(document.querySelector('.chaport-container .chaport-window')).display === 'none';", "Chaport's window to close");
    const reply = await fetch(`${stack.sandbox}/api/v1/messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${DEMO_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ visitorId, chatEvent: { type: 'operator-message', params: { text: 'Hi! How can I help?', operatorId: 'op-anna' } } }),
    });
    expect(reply.status).toBe(201);
    await until(page, "return getComputedStyle(document.querySelector('.chaport-container .chaport-window')).display !== 'none';", 'the chat to re-open');
    const message = (await events(page)).find((event) => event.name === 'chat:message');
    expect(message?.payload).toEqual({ channel: 'chat', reopened: true });
  });

  it('presence hides the chat while every operator is offline, and brings it back', async () => {
    await page.goto(host('presence'));
    await clickOn(page, '.launcher');
    await until(page, `${IN_WIDGET} return !!inWidget('.panel [data-channel="chat"]');`, 'the chat offered');
    stack.chaport.state.setOperatorStatus(APP_ID, 'op-anna', 'offline');
    await until(page, `${IN_WIDGET} return !!inWidget('.panel [data-channel="tg"]') && !inWidget('.panel [data-channel="chat"]');`, 'the chat to leave the picker');
    stack.chaport.state.setOperatorStatus(APP_ID, 'op-anna', 'online');
    await until(page, `${IN_WIDGET} return !!inWidget('.panel [data-channel="chat"]');`, 'the chat to return');
    expect((await events(page)).filter((event) => event.name === 'presence').map((event) => event.payload.online)).toEqual([true, false, true]);
  });

  it("works on a page under Content-Security-Policy: default-src 'self' (its chunks included)", async () => {
    await page.goto(`${stack.api}/test/csp/mail-only?record=1`);
    await clickOn(page, '.launcher');
    await until(page, `${IN_WIDGET} return !!inWidget('#ow-email');`, 'the e-mail form');
    expect(await page.run(`${IN_WIDGET} return getComputedStyle(inWidget('.launcher')).borderRadius;`)).toBe('50%');
    expect((await events(page)).filter((event) => event.name === 'error')).toEqual([]);
  });

  it('destroy() removes the widget and its one global', async () => {
    await page.goto(host('left'));
    await clickOn(page, '.launcher');
    await until(page, `${IN_WIDGET} return !!inWidget('.panel .channel');`, 'the panel');
    await page.run('window.omniwidget("destroy"); return true;');
    expect(await page.run("return [document.querySelectorAll('omniwidget-root').length, 'omniwidget' in window];")).toEqual([0, false]);
  });

  it('the desk and its settings (smoke): an admin signs in, the live stream connects, the settings list the widgets', async () => {
    const admin = { email: 'engines-admin@acme.example', password: 'engines-password-1' };
    if (!(await stack.db.read((q) => findStaffByEmail(q, admin.email))))
      await stack.db.write('staff.create', { email: admin.email, name: 'Engines Admin', role: 'admin', groups: [], channels: ['online_chat', 'email'], passwordHash: await hashPassword(admin.password), chaport: { mapping: 'none', operatorId: null } });
    await page.goto(`${stack.api}/desk#/settings`);
    await clickOn(page, '#email', 'page');
    await page.type(admin.email);
    await clickOn(page, '#password', 'page');
    await page.type(admin.password);
    await clickOn(page, 'button[type=submit]', 'page');
    await until(page, "return document.querySelector('.connection')?.textContent === 'Live';", 'the live stream');
    await until(page, "return document.querySelector('#widgets-title')?.textContent === 'Widgets';", 'the settings');
    expect(await page.run("return document.documentElement.scrollWidth <= innerWidth;")).toBe(true);
  });
});
