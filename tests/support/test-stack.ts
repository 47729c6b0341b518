import { DEMO_APP_ID, startStack, type Origins, type Stack, type StackOptions } from '../../demo/stack.ts';

/**
 * The browser tests' world, for every engine's tests (Playwright's in tests/e2e, the other engines' in
 * tests/engines): the demo's own stack (site, helpdesk API with the minified dist/omniwidget.js, Chaport sandbox) on
 * random ports, with the test widgets below and host pages at `/t/<widget>`.
 */

export const APP_ID = DEMO_APP_ID;
export const EVENT_NAMES = ['ready', 'open', 'close', 'channel:select', 'chat:message', 'presence', 'message:sent', 'consent', 'error'] as const;

export function testWidgets(origins: Origins) {
  const allowedOrigins = [origins.site, origins.api];
  const chat = { id: 'chat', type: 'chaport', appId: APP_ID, scriptUrl: `${origins.sandbox}/javascripts/insert.js`, apiUrl: `${origins.sandbox}/api/v1`, loadTimeoutSeconds: 5 };
  const tg = { id: 'tg', type: 'telegram', username: 'acme_support' };
  const mail = { id: 'mail', type: 'email' };
  const every = [
    chat,
    tg,
    { id: 'wa', type: 'whatsapp', phone: '+79990001122', text: 'Hello ACME' },
    { id: 'viber', type: 'viber', phone: '+79990001122' },
    { id: 'vk', type: 'vk', group: 'acme' },
    { id: 'fb', type: 'messenger', page: 'acme.support' },
    mail,
    { id: 'call', type: 'phone', phone: '+74950001122' },
    { id: 'kb', type: 'link', url: 'https://acme.example/help', label: { en: 'Help center', ru: 'Справочный центр' } },
    { id: 'mailto', type: 'email', form: false, address: 'help@acme.example', label: 'Write from your mail app' },
  ];
  const widget = (id: string, channels: unknown[], extra: Record<string, unknown> = {}) => ({ id, allowedOrigins, channels, ...extra });
  return {
    widgets: [
      widget('all', every),
      widget('chat-only', [chat]),
      widget('mail-only', [mail]),
      widget('presence', [{ ...chat, display: 'hideWhenOffline' }, tg], { presence: { pollSeconds: 2 } }),
      widget('presence-only', [{ ...chat, display: 'hideWhenOffline' }], { presence: { pollSeconds: 2 } }),
      widget('presence-mail', [{ ...chat, display: 'hideWhenOffline' }, mail], { presence: { pollSeconds: 2 } }),
      widget('no-reopen', [chat, mail], { reopenOnReply: false }),
      widget('broken-chat', [{ ...chat, scriptUrl: `${origins.sandbox}/missing/insert.js` }, tg]),
      widget('hanging-chat', [{ ...chat, scriptUrl: `${origins.sandbox}/test/never-ready.js`, loadTimeoutSeconds: 2 }, tg]),
      widget('left', [tg, mail], { theme: { color: '#ffd33d', position: 'left' } }),
      widget('ru', [tg, mail], { locale: 'ru' }),
      // Chaport's RU region, with no script URL override: the SDK must ask app.chaport.ru.
      widget('ru-region', [{ id: 'chat', type: 'chaport', appId: APP_ID, region: 'ru', loadTimeoutSeconds: 2 }, tg]),
      // A Chaport that never says a reply came (no unverified widget state, no chat.unreadChange): only the helpdesk can.
      widget('quiet-chaport', [{ ...chat, scriptUrl: `${chat.scriptUrl}?signals=none` }, mail], { presence: { pollSeconds: 2 } }),
      widget('quiet-chaport-badge', [{ ...chat, scriptUrl: `${chat.scriptUrl}?signals=none` }, mail], { presence: { pollSeconds: 2 }, reopenOnReply: false }),
      // Chaport telling of replies only with chat.unreadChange, as its mobile bridge does.
      widget('unread-change', [{ ...chat, scriptUrl: `${chat.scriptUrl}?signals=unreadChange` }, mail]),
    ],
    // The helpdesk side: the sandbox's chats arrive as conversations; chats from /pricing go to Billing.
    helpdesk: {
      publicUrl: origins.api,
      groups: [
        { id: 'general', name: 'General' },
        { id: 'billing', name: 'Billing questions' },
      ],
      chaport: { apiUrl: `${origins.sandbox}/api/v1`, defaultGroup: 'general', routing: [{ startPage: '/pricing*', group: 'billing' }], idleMinutes: 30, reconcileMinutes: 1 },
    },
  };
}

/** A tiny host page: the script tag with `data-*` attributes from the query, and optional extras. */
export function hostPage(origins: Origins, widgetId: string, query: URLSearchParams, scriptSrc = `${origins.api}/omniwidget.js`): string {
  const attributes = [...query].filter(([name]) => name.startsWith('data-')).map(([name, value]) => ` ${name}="${value.replace(/"/g, '&quot;')}"`).join('');
  const head = [
    query.has('reset') ? '<link rel="stylesheet" href="/test/reset.css">' : '',
    query.has('record') ? '<script src="/test/record.js"></script>' : '',
    query.has('noscript') ? '' : `<script async src="${scriptSrc}" data-widget-id="${widgetId}"${attributes}></script>`,
  ].join('\n');
  return `<!doctype html>
<html lang="${query.get('lang') ?? 'en'}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Host page</title>${scriptSrc.startsWith('/') ? '' : '<link rel="icon" href="data:,">'}
${head}
</head>
<body>
<main><h1 class="host-title">Host page</h1><p class="host-text">Some host content with a <a href="/t/${widgetId}?${query}">link to the next page</a>.</p>
<button type="button" id="own-button">Own button</button><div class="box">A div</div></main>
</body>
</html>`;
}

export const RECORDER = `
window.__events = [];
window.omniwidget = window.omniwidget || function () { (omniwidget.q = omniwidget.q || []).push(arguments); };
for (const name of ${JSON.stringify(EVENT_NAMES)}) {
  omniwidget('on', name, (payload) => window.__events.push({ name, payload: payload instanceof Error ? { name: payload.name, code: payload.code, message: payload.message } : payload }));
}`;

/** An aggressive host stylesheet: resets everything, sets rem tiny, and restyles every tag the widget uses. */
export const AGGRESSIVE_RESET = `
*, *::before, *::after { all: unset; box-sizing: content-box !important; font: 30px/3 "Comic Sans MS", cursive !important; color: #f0f !important; letter-spacing: 3px !important; }
html { font-size: 6px; direction: rtl; --a: red; --o: lime; }
head, script, style, link, title, meta { display: none !important; }
body, div, main, p, h1, h2, ul, li, form, label { display: block; margin: 17px !important; padding: 13px !important; }
button, a, input, textarea { display: inline-block; border: 9px dashed red !important; background: yellow !important; text-transform: uppercase !important; }
svg, path { fill: red !important; stroke: blue !important; }
omniwidget-root, [data-widget-id] { transform: translateX(40px); filter: blur(2px); opacity: .5; display: none; }
`;

export const CSP = (origins: Origins) =>
  [
    "default-src 'self'",
    `script-src 'self' ${origins.api} ${origins.sandbox} https://app.chaport.ru`,
    `connect-src 'self' ${origins.api} ${origins.sandbox}`,
    `frame-src ${origins.sandbox}`,
    "style-src 'self'",
    "img-src 'self' data:",
  ].join('; ');

/** A request the API received: for counting polls and checking they are conditional. */
export type ApiRequest = { at: number; method: string; path: string; ifNoneMatch: string | null; status: number };


/** Starts the stack the browser tests use; `requests` records what the API received. */
export async function startTestStack(extra: Partial<StackOptions> = {}): Promise<Stack & { requests: ApiRequest[] }> {
  const requests: ApiRequest[] = [];
  const stack = await startStack({
    onApiRequest(request, status) {
      requests.push({ at: Date.now(), method: request.method, path: new URL(request.url).pathname, ifNoneMatch: request.headers.get('If-None-Match'), status });
    },
    widgets: testWidgets,
    presence: { refreshMs: 500 },
    jobs: { pollMs: 200 },
    // Every test of a worker posts from 127.0.0.1 to one stack: the per-address limit is tested in the API's own tests.
    limits: false,
    extendSite(app, origins) {
      app.get('/t/:widget', (c) =>
        c.body(hostPage(origins, c.req.param('widget'), new URL(c.req.url).searchParams), 200, {
          'Content-Type': 'text/html; charset=utf-8',
          'Content-Security-Policy': CSP(origins),
          'Cache-Control': 'no-store',
        }),
      );
      app.get('/test/reset.css', (c) => c.body(AGGRESSIVE_RESET, 200, { 'Content-Type': 'text/css' }));
      app.get('/test/record.js', (c) => c.body(RECORDER, 200, { 'Content-Type': 'text/javascript' }));
    },
    extendApi(app, origins) {
      // A page on the API's own origin under the strictest policy: `default-src 'self'`, nothing else.
      app.get('/test/csp/:widget', (c) =>
        c.body(hostPage(origins, c.req.param('widget'), new URL(c.req.url).searchParams, '/omniwidget.js'), 200, {
          'Content-Type': 'text/html; charset=utf-8',
          'Content-Security-Policy': "default-src 'self'",
        }),
      );
      app.get('/test/record.js', (c) => c.body(RECORDER, 200, { 'Content-Type': 'text/javascript' }));
    },
    extendSandbox(app) {
      // Loads fine, then never says `ready`: Chaport hanging.
      app.get('/test/never-ready.js', (c) => c.body('/* a Chaport that never becomes ready */', 200, { 'Content-Type': 'text/javascript' }));
    },
    ...extra,
  });
  return Object.assign(stack, { requests });
}
