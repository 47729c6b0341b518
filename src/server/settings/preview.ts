import { Hono } from 'hono';
import { ConfigFileError, parseServerConfig, type WidgetEntry } from '../config/file.ts';
import type { AppDatabase } from '../storage/open.ts';
import { getPreview } from './commands.ts';

/**
 * The live preview of the settings page: the real widget bundle, on a page of this server, rendering a widget as it
 * is being edited. The draft is stored (an hour, any instance can serve it) under an id starting with this prefix
 * and 128 random bits; the widget API serves it like any widget, except that it sends no messages.
 */
export const PREVIEW_PREFIX = 'preview-';

export const isPreviewId = (id: string) => id.startsWith(PREVIEW_PREFIX);

/** The draft as the widget API serves it, or undefined when there is none (or it no longer validates). */
export async function previewEntry(db: AppDatabase, id: string, env: Record<string, string | undefined>, now: number): Promise<WidgetEntry | undefined> {
  const stored = await db.read((q) => getPreview(q, id, now));
  if (!stored) return undefined;
  try {
    return parseServerConfig({ widgets: [JSON.parse(stored)] }, env, 'preview').widgets.get(id);
  } catch (error) {
    if (error instanceof ConfigFileError) return undefined; // a secret gone since: no preview
    throw error;
  }
}

const CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'self'";

const page = (id: string, locale: string) => `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Widget preview</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/settings/preview.css">
<script src="/settings/preview.js"></script>
<script async src="/omniwidget.js" data-widget-id="${id}" data-locale="${locale}"></script>
</head>
<body>
<main class="page"><p class="line wide"></p><p class="line"></p><p class="line short"></p><p class="line"></p><p class="line wide"></p></main>
</body>
</html>`;

// A page that looks like a page (grey lines), so the widget is seen where it will be: in a corner of a site.
const STYLE = `html,body{margin:0;height:100%;background:#fff;font:14px system-ui,sans-serif}
.page{max-width:640px;margin:0 auto;padding:32px 24px}
.line{height:12px;margin:0 0 16px;border-radius:6px;background:#eaeef2;width:80%}
.line.wide{width:100%}.line.short{width:45%}`;

// Opens the widget once it is ready when the page is asked to (`?open=1`), through the documented command queue.
// A chat hidden while every operator is offline is unknown until the first presence answer, and a widget opened with
// one channel left shows that channel itself: opened again once presence is known, it shows the picker it will show.
const SCRIPT = `(function () {
  var w = window;
  w.omniwidget = w.omniwidget || function () { (w.omniwidget.q = w.omniwidget.q || []).push(arguments); };
  if (new URLSearchParams(location.search).get('open') !== '1') return;
  var known = false;
  w.omniwidget('on', 'ready', function () { w.omniwidget('open'); });
  w.omniwidget('on', 'presence', function () { if (known) return; known = true; w.omniwidget('close'); w.omniwidget('open'); });
})();`;

/** `GET /settings/preview/{id}?lang=en&open=1`: the page the settings page frames, on this server's own origin. */
export function previewPages(): Hono {
  const app = new Hono();
  app.get('/settings/preview/:id', (c) => {
    const id = c.req.param('id');
    if (!isPreviewId(id) || !/^[\w-]{20,64}$/.test(id)) return c.text('Not a preview', 404);
    const locale = c.req.query('lang') === 'ru' ? 'ru' : 'en';
    return c.html(page(id, locale), 200, { 'Content-Security-Policy': CSP, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  });
  app.get('/settings/preview.js', (c) => c.body(SCRIPT, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' }));
  app.get('/settings/preview.css', (c) => c.body(STYLE, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'no-cache' }));
  return app;
}
