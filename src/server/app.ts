import { readFileSync } from 'node:fs';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { WidgetEntry, WidgetRegistry } from './config/file.ts';
import { serveConfig } from './config/route.ts';
import { PREFLIGHT_HEADERS, applyCors, originAllowed } from './http/cors.ts';
import { ApiError, sendError } from './http/errors.ts';
import { etagOf, ifNoneMatchHits } from './http/etag.ts';
import { silentLogger, type Logger } from './log.ts';
import { MAX_MESSAGE_BODY_BYTES, receiveMessage } from './messages/route.ts';
import type { MessageStore } from './messages/store.ts';
import { servePresence } from './presence/route.ts';
import { createPresenceService, type PresenceService } from './presence/service.ts';

export interface ApiOptions {
  widgets: WidgetRegistry;
  store: MessageStore;
  /** Computes chat presence from Chaport; one is created with default settings when omitted. */
  presence?: PresenceService;
  /** Path of the built script-tag bundle, served at `/omniwidget.js`. */
  widgetScriptPath?: string;
  log?: Logger;
}

type Env = { Variables: { widget: WidgetEntry } };

/**
 * The helpdesk API (v1) as a Hono app: mount it in any server, or run it with `startServer`.
 * Every error is `{"error": {"code", "message", "field"?}}`; nothing thrown inside reaches a client as a stack.
 */
export function createApi(options: ApiOptions): Hono {
  const { widgets, store, log = silentLogger } = options;
  const presence = options.presence ?? createPresenceService({ log });
  const app = new Hono();

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    log.info('http.request', { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) });
  });

  app.get('/healthz', (c) => c.json({ ok: true }));
  if (options.widgetScriptPath) app.get('/omniwidget.js', widgetScript(options.widgetScriptPath));

  const api = new Hono<Env>();
  api.use('/:id/*', async (c, next) => {
    const widget = widgets.get(c.req.param('id'));
    if (!widget) {
      // Readable by any page, so the SDK can tell "unknown widget" apart from a network failure.
      c.header('Access-Control-Allow-Origin', '*');
      throw new ApiError(404, 'not_found', `Unknown widget "${c.req.param('id')}"`);
    }
    c.set('widget', widget);
    applyCors(c, widget.config);
    await next();
  });

  api.options('/:id/*', (c) => {
    const origin = c.req.header('Origin');
    if (!origin || !originAllowed(c.var.widget.config, origin))
      throw new ApiError(403, 'origin_not_allowed', `Origin ${origin ?? '(none)'} is not allowed for widget "${c.var.widget.config.id}"`);
    for (const [name, value] of Object.entries(PREFLIGHT_HEADERS)) c.header(name, value);
    return c.body(null, 204);
  });

  api.get('/:id/config', (c) => serveConfig(c, c.var.widget));
  api.get('/:id/presence', (c) => servePresence(c, c.var.widget, presence));
  api.post(
    '/:id/messages',
    (c, next) => {
      // Refused before the body is read; the SDK never sends a request without Origin from a browser.
      const origin = c.req.header('Origin');
      if (origin && !originAllowed(c.var.widget.config, origin))
        throw new ApiError(403, 'origin_not_allowed', `Origin ${origin} is not allowed for widget "${c.var.widget.config.id}"`);
      return next();
    },
    bodyLimit({
      maxSize: MAX_MESSAGE_BODY_BYTES,
      onError: () => {
        throw new ApiError(413, 'payload_too_large', `The body exceeds ${MAX_MESSAGE_BODY_BYTES} bytes`);
      },
    }),
    (c) => receiveMessage(c, c.var.widget, store, log),
  );
  api.all('/:id/config', methodNotAllowed('GET'));
  api.all('/:id/presence', methodNotAllowed('GET'));
  api.all('/:id/messages', methodNotAllowed('POST'));

  app.route('/v1/widgets', api);

  app.notFound((c) => sendError(c, new ApiError(404, 'not_found', `No route for ${c.req.method} ${c.req.path}`)));
  app.onError((error, c) => {
    if (error instanceof ApiError) return sendError(c, error);
    log.error('http.unhandled', { method: c.req.method, path: c.req.path, error: error.message });
    return sendError(c, new ApiError(500, 'internal', 'Internal error'));
  });
  return app;
}

function methodNotAllowed(allow: string) {
  return (c: Context) => {
    throw new ApiError(405, 'method_not_allowed', `${c.req.method} is not allowed here; use ${allow}`, undefined, { Allow: `${allow}, OPTIONS` });
  };
}

/** Serves the script-tag bundle; read once, revalidated by ETag, loadable cross-origin (CORP). */
function widgetScript(path: string) {
  let cached: { body: string; etag: string } | undefined;
  return (c: Context) => {
    if (!cached) {
      try {
        const body = readFileSync(path, 'utf8');
        cached = { body, etag: etagOf(body) };
      } catch {
        throw new ApiError(404, 'not_found', 'The widget bundle is not built: run `npm run build`');
      }
    }
    c.header('ETag', cached.etag);
    c.header('Cache-Control', 'public, max-age=300, stale-while-revalidate=86400');
    c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    c.header('Access-Control-Allow-Origin', '*');
    c.header('X-Content-Type-Options', 'nosniff');
    if (ifNoneMatchHits(c.req.header('If-None-Match'), cached.etag)) return c.body(null, 304);
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    return c.body(cached.body, 200);
  };
}
