/**
 * `npm run bench:page`: what the widget costs a page, in real Chromium, side by side in one run (#11):
 * - **empty**: a page with text and no script — the baseline;
 * - **floor**: the same page with a script of only preact + nanostores + ky rendering one button (`page/floor.tsx`),
 *   served cross-site by the helpdesk API like the widget — no widget built on these libraries does less;
 * - **widget**: the same page with the demo's widget (`acme`, every channel type), the real `dist/omniwidget.js`;
 * - **before** (with `BENCH_BEFORE=<a built checkout>`): the same widget as that checkout built it — the figures
 *   before a change, measured in the same run as after.
 * Each page is loaded fresh (a new browser context: no cache) `BENCH_LOADS` times (5), unthrottled and at 4× CPU
 * throttling; the medians are reported with the goals.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { chromium, type CDPSession, type Page } from '@playwright/test';
import type { Context } from 'hono';
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
/** The earlier build's script, if asked for: a single file in 0.1 (dist/omniwidget.js, everything inlined). */
const beforeDir = process.env.BENCH_BEFORE;
const beforeJs = beforeDir ? readFileSync(join(beforeDir, 'dist', 'omniwidget.js')) : undefined;
if (beforeDir && existsSync(join(beforeDir, 'dist', 'omniwidget'))) throw new Error('BENCH_BEFORE: only a single-file build (before #11) can be served as "before"');
const beforeBr = beforeJs && brotliCompressSync(beforeJs);

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
    app.get('/bench/before', (c) => c.body(page(`<script async src="${origins.api}/bench/before.js" data-widget-id="acme"></script>`), 200, html));
  },
  extendApi(app) {
    // Compressed as the widget's bundle is, so the two cost the network alike.
    const serve = (plain: Buffer, compressed: Buffer) => (c: Context) => {
      const br = /\bbr\b/.test(c.req.header('Accept-Encoding') ?? '');
      return c.body(new Uint8Array(br ? compressed : plain), 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cross-Origin-Resource-Policy': 'cross-origin', ...(br ? { 'Content-Encoding': 'br' } : {}) });
    };
    app.get('/bench/floor.js', serve(floorJs, floorBr));
    if (beforeJs && beforeBr) app.get('/bench/before.js', serve(beforeJs, beforeBr));
  },
});

/** What each page shows first: its text (empty), the button (floor), the launcher (widget). */
const LAUNCHER = "document.querySelector('omniwidget-root')?.shadowRoot?.querySelector('.launcher')";
const TARGETS = {
  empty: "document.getElementById('content')",
  floor: "document.querySelector('floor-root')?.shadowRoot?.querySelector('.launcher')",
  widget: LAUNCHER,
  before: LAUNCHER,
} as const;
type Kind = keyof typeof TARGETS;
const KINDS = (Object.keys(TARGETS) as Kind[]).filter((kind) => kind !== 'before' || beforeJs);

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
      for (const kind of KINDS) (runs[`${kind}@${throttle}`] ??= []).push(await load(browser, kind, throttle));
  for (const kind of KINDS) {
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
const before = results.before;
const kb = (bytes: number) => (bytes ? `${(bytes / 1000).toFixed(1)} KB` : '–');
const ms = (value: number) => value.toFixed(0);
interface Row {
  name: string;
  value(load: Record<1 | 4, Load>): number;
  show(value: number): string;
  /** The goal's limit for the widget, or none (reported only). */
  limit?: number;
  goal?: string;
}
const rowsOf: Row[] = [
  { name: 'launcher visible (ms from navigation)', value: (l) => l[1].visibleMs, show: ms, limit: floorPage[1].visibleMs + 30, goal: 'floor + 30' },
  { name: 'launcher visible at 4× CPU throttle (ms)', value: (l) => l[4].visibleMs, show: ms },
  { name: 'host-thread long tasks at 4× CPU throttle (ms)', value: (l) => l[4].longTasksMs, show: ms, limit: empty[4].longTasksMs + 50, goal: 'empty + 50' },
  { name: 'JS heap after GC (MiB)', value: (l) => l[1].heapMiB, show: (v) => v.toFixed(2), limit: empty[1].heapMiB + 0.3, goal: 'empty + 0.30' },
  { name: 'JS before any interaction (gzip)', value: (l) => l[1].jsGzip, show: kb, limit: 14_000, goal: '14 KB' },
  { name: 'JS before any interaction (as transferred)', value: (l) => l[1].jsTransferred, show: kb },
];
console.log(`\nPage benchmark: medians of ${LOADS} fresh loads per page and throttle, Chromium ${browser.version()}\n`);
console.log(`| | empty page | floor |${before ? ' widget before |' : ''} widget | goal | |`);
console.log(`|---|---|---|${before ? '---|' : ''}---|---|---|`);
let missed = 0;
for (const row of rowsOf) {
  const value = row.value(widget);
  const met = row.limit === undefined || value <= row.limit;
  if (!met) missed++;
  const goal = row.limit === undefined ? '(reported)' : `≤ ${row.goal} = ${row.show(row.limit)}`;
  const cells = [row.show(row.value(empty)), row.show(row.value(floorPage)), ...(before ? [row.show(row.value(before))] : []), row.show(value), goal, row.limit === undefined ? '' : met ? 'met' : 'not met'];
  console.log(`| ${row.name} | ${cells.join(' | ')} |`);
}
console.log(
  `\nRatios: widget/floor launcher ${(widget[1].visibleMs / floorPage[1].visibleMs).toFixed(2)}×, widget/empty long tasks at 4× ${(widget[4].longTasksMs / Math.max(1, empty[4].longTasksMs)).toFixed(2)}×, widget JS ${(widget[1].jsGzip / floorPage[1].jsGzip).toFixed(2)}× the floor's` +
    (before ? `; widget/before: launcher ${(widget[1].visibleMs / before[1].visibleMs).toFixed(2)}×, long tasks ${(widget[4].longTasksMs / Math.max(1, before[4].longTasksMs)).toFixed(2)}×, heap ${(widget[1].heapMiB / before[1].heapMiB).toFixed(2)}×, JS ${(widget[1].jsGzip / before[1].jsGzip).toFixed(2)}×.` : '.'),
);
if (missed) {
  console.error(`${missed} goal(s) of #11 not met in this run`);
  process.exitCode = 1;
}
