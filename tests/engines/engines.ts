import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { chromium } from '@playwright/test';
import puppeteer from 'puppeteer-core';
import { vi } from 'vitest';

/**
 * One browser page, driven the same way in every engine (#12): navigate, run a script in the page, and real input —
 * a pointer click at a point of the viewport and typed keys, as a visitor's. Chromium through Playwright, Firefox
 * through WebDriver BiDi (puppeteer-core; no geckodriver), WebKit (Safari's engine, WebKitGTK's MiniBrowser)
 * through classic WebDriver (WebKitWebDriver, under a virtual display).
 */
export interface EnginePage {
  readonly engine: EngineName;
  goto(url: string): Promise<void>;
  /** Runs `body` — a function body; `return` gives the result, `await` works — in the page, with `args`. */
  run<T>(body: string, ...args: unknown[]): Promise<T>;
  click(x: number, y: number): Promise<void>;
  type(text: string): Promise<void>;
  close(): Promise<void>;
}

export type EngineName = 'chromium' | 'firefox' | 'webkit';
export const ENGINES: EngineName[] = ['chromium', 'firefox', 'webkit'];

const asFunction = (body: string) => `(async (...args) => { ${body} })`;
/** An expression calling the body with the arguments: evaluated by the driver, so a page's CSP (no eval) allows it. */
const asCall = (body: string, args: unknown[]) => `${asFunction(body)}(...${JSON.stringify(args)})`;

async function chromiumPage(): Promise<EnginePage> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  return {
    engine: 'chromium',
    goto: async (url) => void (await page.goto(url)),
    run: (body, ...args) => page.evaluate(asCall(body, args)),
    click: (x, y) => page.mouse.click(x, y),
    type: (text) => page.keyboard.type(text),
    close: () => browser.close(),
  };
}

async function firefoxPage(): Promise<EnginePage> {
  // No emulated viewport: Firefox 140's WebDriver BiDi lacks the screen-orientation command puppeteer sends with one.
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr', headless: true, defaultViewport: null, args: ['--width=1280', '--height=800'] });
  const page = await browser.newPage();
  return {
    engine: 'firefox',
    goto: async (url) => void (await page.goto(url)),
    run: (body, ...args) => page.evaluate(asCall(body, args)) as never,
    click: (x, y) => page.mouse.click(x, y),
    type: (text) => page.keyboard.type(text),
    close: () => browser.close(),
  };
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

async function webkitPage(): Promise<EnginePage> {
  const port = await freePort();
  const driver: ChildProcess = spawn(process.env.WEBKIT_DRIVER ?? 'WebKitWebDriver', [`--port=${port}`], { stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(base + path, { method, headers: { 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const { value } = (await response.json()) as { value: T & { error?: string; message?: string } };
    if (!response.ok) throw new Error(`WebDriver ${method} ${path}: ${value?.error} ${value?.message}`);
    return value;
  };
  // The driver takes a moment to listen: asked until it answers.
  await vi.waitFor(() => fetch(`${base}/status`), { timeout: 30_000, interval: 50 });
  const browser = process.env.WEBKIT_BROWSER ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
  const { sessionId } = await call<{ sessionId: string }>('POST', '/session', { capabilities: { alwaysMatch: { 'webkitgtk:browserOptions': { binary: browser, args: ['--automation'] } } } });
  const session = `/session/${sessionId}`;
  await call('POST', `${session}/window/rect`, { width: 1280, height: 800 });
  const pointer = (x: number, y: number) => [
    { type: 'pointerMove', x: Math.round(x), y: Math.round(y), origin: 'viewport' },
    { type: 'pointerDown', button: 0 },
    { type: 'pointerUp', button: 0 },
  ];
  return {
    engine: 'webkit',
    goto: (url) => call('POST', `${session}/url`, { url }),
    // Classic WebDriver: an async script gets its result through the callback it is given last.
    run: (body, ...args) => call('POST', `${session}/execute/async`, { script: `const done = arguments[arguments.length - 1]; ${asFunction(body)}(...Array.from(arguments).slice(0, -1)).then(done, (error) => done({ __error: String(error) }));`, args }),
    click: (x, y) => call('POST', `${session}/actions`, { actions: [{ type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' }, actions: pointer(x, y) }] }),
    type: (text) => call('POST', `${session}/actions`, { actions: [{ type: 'key', id: 'keys', actions: [...text].flatMap((key) => [{ type: 'keyDown', value: key }, { type: 'keyUp', value: key }]) }] }),
    async close() {
      await call('DELETE', session).catch(() => {});
      driver.kill();
    },
  };
}

export const openEngine = (engine: EngineName): Promise<EnginePage> => (engine === 'chromium' ? chromiumPage() : engine === 'firefox' ? firefoxPage() : webkitPage());
