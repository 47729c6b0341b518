/**
 * `npm run bench:page`: what the widget costs a page, in real Chromium, side by side in one run (#11):
 * - **empty**: a page with text and no script — the baseline;
 * - **floor**: the same page with a script of only preact + nanostores + ky rendering one button (`page/floor.tsx`),
 *   served cross-site by the helpdesk API like the widget — no widget built on these libraries does less;
 * - **widget**: the same page with the demo's widget (`acme`, every channel type), the real `dist/omniwidget.js`.
 * Each page is loaded fresh (a new browser context: no cache) `BENCH_LOADS` times (5), unthrottled and at 4× CPU
 * throttling; the medians are reported with the goals.
 */
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { chromium, type CDPSession, type Page } from '@playwright/test';
import { build } from 'esbuild';
import { startStack } from '../../demo/stack.ts';

const LOADS = Number(process.env.BENCH_LOADS ?? 5);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const floor = await build({
  entryPoints: [new URL('./page/floor.tsx', import.meta.url).pathname],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  define: { 'process.env.NODE_ENV': '"production"' },
  write: false,
});
const floorJs = Buffer.from(floor.outputFiles[0]!.contents);
const floorBr = brotliCompressSync(floorJs);

const page = (script: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bench page</title><link rel="icon" href="data:,">${script}</head>
<body><main><h1 id="content">A shop's page</h1><p>Some text a visitor reads while the widget loads.</p></main></body></html>`;

const stack = await startStack({
  presence: { refreshMs: 5000 },
  extendSite(app, origins) {
    const html = { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' };
    app.get('/bench/empty', (c) => c.body(page(''), 200, html));
    app.get('/bench/floor', (c) => c.body(page(`<script async src="${origins.api}/bench/floor.js"></script>`), 200, html));
    app.get('/bench/widget', (c) => c.body(page(`<script async src="${origins.api}/omniwidget.js" data-widget-id="acme"></script>`), 200, html));
  },
  extendApi(app) {
    // Compressed as the widget's bundle is, so the two cost the network alike.
    app.get('/bench/floor.js', (c) => {
      const br = /\bbr\b/.test(c.req.header('Accept-Encoding') ?? '');
      return c.body(br ? floorBr : floorJs, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cross-Origin-Resource-Policy': 'cross-origin', ...(br ? { 'Content-Encoding': 'br' } : {}) });
    });
  },
});

/** What each page shows first: its text (empty), the button (floor), the launcher (widget). */
const TARGETS = {
  empty: "document.getElementById('content')",
  floor: "document.querySelector('floor-root')?.shadowRoot?.querySelector('.launcher')",
  widget: "document.querySelector('omniwidget-root')?.shadowRoot?.querySelector('.launcher')",
} as const;
type Kind = keyof typeof TARGETS;

interface Load {
  visibleMs: number;
  longTasksMs: number;
  heapMiB: number;
  jsTransferred: number;
  jsGzip: number;
}

/** Marks, from the first frame on, when the target has a box on screen; and sums the host thread's long tasks. */
const probe = (target: string) => `
  window.__bench = { visible: null, longTasks: 0 };
  new PerformanceObserver((list) => { for (const entry of list.getEntries()) window.__bench.longTasks += entry.duration; }).observe({ type: 'longtask', buffered: true });
  (function check() {
    const element = ${target};
    const box = element && element.getBoundingClientRect();
    if (box && box.width > 0 && box.height > 0) window.__bench.visible = performance.now();
    else requestAnimationFrame(check);
  })();`;

async function load(browser: Awaited<ReturnType<typeof chromium.launch>>, kind: Kind, throttle: number): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const tab: Page = await context.newPage();
  const cdp: CDPSession = await context.newCDPSession(tab);
  await cdp.send('Network.enable');
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });
  const scripts = new Map<string, { transferred: number }>();
  cdp.on('Network.responseReceived', (event) => {
    if (event.type === 'Script') scripts.set(event.requestId, { transferred: 0 });
  });
  cdp.on('Network.loadingFinished', (event) => {
    const script = scripts.get(event.requestId);
    if (script) script.transferred = event.encodedDataLength;
  });
  await tab.addInitScript(probe(TARGETS[kind]));
  await tab.goto(`${stack.site}/bench/${kind}`, { waitUntil: 'load' });
  await tab.waitForFunction(() => (window as any).__bench.visible !== null, undefined, { timeout: 30_000 });
  // Whatever the page does after showing itself (the first presence answer, idle work) counts too.
  await tab.waitForLoadState('networkidle');
  let jsTransferred = 0;
  let jsGzip = 0;
  for (const [requestId, script] of scripts) {
    jsTransferred += script.transferred;
    const { body, base64Encoded } = await cdp.send('Network.getResponseBody', { requestId });
    jsGzip += gzipSync(Buffer.from(body, base64Encoded ? 'base64' : 'utf8'), { level: 9 }).length;
  }
  const bench = await tab.evaluate(() => (window as any).__bench as { visible: number; longTasks: number });
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await context.close();
  return { visibleMs: bench.visible, longTasksMs: bench.longTasks, heapMiB: usedSize / 1024 / 1024, jsTransferred, jsGzip };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const results: Record<Kind, Record<1 | 4, Load>> = {} as never;
try {
  // Interleaved (empty, floor, widget, empty, …): a slow moment of the machine falls on every page alike.
  const runs: Record<string, Load[]> = {};
  for (let round = 0; round < LOADS; round++)
    for (const throttle of [1, 4] as const)
      for (const kind of Object.keys(TARGETS) as Kind[]) (runs[`${kind}@${throttle}`] ??= []).push(await load(browser, kind, throttle));
  for (const kind of Object.keys(TARGETS) as Kind[]) {
    results[kind] = {} as Record<1 | 4, Load>;
    for (const throttle of [1, 4] as const) {
      const list = runs[`${kind}@${throttle}`]!;
      results[kind][throttle] = {
        visibleMs: median(list.map((item) => item.visibleMs)),
        longTasksMs: median(list.map((item) => item.longTasksMs)),
        heapMiB: median(list.map((item) => item.heapMiB)),
        jsTransferred: median(list.map((item) => item.jsTransferred)),
        jsGzip: median(list.map((item) => item.jsGzip)),
      };
    }
  }
} finally {
  await browser.close();
  await stack.close();
}

const { empty, floor: floorPage, widget } = results;
const kb = (bytes: number) => (bytes ? `${(bytes / 1000).toFixed(1)} KB` : '–');
const rows: [string, string, string, string, string, boolean][] = [
  ['launcher visible (ms from navigation)', `${empty[1].visibleMs.toFixed(0)}`, `${floorPage[1].visibleMs.toFixed(0)}`, `${widget[1].visibleMs.toFixed(0)}`, `≤ floor + 30 = ${(floorPage[1].visibleMs + 30).toFixed(0)}`, widget[1].visibleMs <= floorPage[1].visibleMs + 30],
  ['launcher visible at 4× CPU throttle (ms)', `${empty[4].visibleMs.toFixed(0)}`, `${floorPage[4].visibleMs.toFixed(0)}`, `${widget[4].visibleMs.toFixed(0)}`, '(reported)', true],
  ['host-thread long tasks at 4× CPU throttle (ms)', `${empty[4].longTasksMs.toFixed(0)}`, `${floorPage[4].longTasksMs.toFixed(0)}`, `${widget[4].longTasksMs.toFixed(0)}`, `≤ empty + 50 = ${(empty[4].longTasksMs + 50).toFixed(0)}`, widget[4].longTasksMs <= empty[4].longTasksMs + 50],
  ['JS heap after GC (MiB)', empty[1].heapMiB.toFixed(2), floorPage[1].heapMiB.toFixed(2), widget[1].heapMiB.toFixed(2), `≤ empty + 0.30 = ${(empty[1].heapMiB + 0.3).toFixed(2)}`, widget[1].heapMiB <= empty[1].heapMiB + 0.3],
  ['JS before any interaction (gzip)', kb(empty[1].jsGzip), kb(floorPage[1].jsGzip), kb(widget[1].jsGzip), '≤ 14 KB', widget[1].jsGzip <= 14_000],
  ['JS before any interaction (as transferred)', kb(empty[1].jsTransferred), kb(floorPage[1].jsTransferred), kb(widget[1].jsTransferred), '(reported)', true],
];
console.log(`\nPage benchmark: medians of ${LOADS} fresh loads per page and throttle, Chromium ${browser.version()}\n`);
console.log('| | empty page | floor | widget | goal | |');
console.log('|---|---|---|---|---|---|');
for (const [name, a, b, c, goal, met] of rows) console.log(`| ${name} | ${a} | ${b} | ${c} | ${goal} | ${goal.startsWith('(') ? '' : met ? 'met' : 'not met'} |`);
console.log(`\nRatios: widget/floor launcher ${(widget[1].visibleMs / floorPage[1].visibleMs).toFixed(2)}×, widget/empty long tasks at 4× ${(widget[4].longTasksMs / Math.max(1, empty[4].longTasksMs)).toFixed(2)}×, widget JS ${(widget[1].jsGzip / floorPage[1].jsGzip).toFixed(2)}× the floor's.`);
