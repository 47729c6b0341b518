import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { ConfigSource } from './config/source.ts';
import type { WidgetEntry } from './config/file.ts';
import { serveConfig } from './config/route.ts';
import { serveReplies } from './conversations/replies-route.ts';
import { WIDGET_API_BASE, widgetRoutes } from '../contract/wire.ts';
import { admission } from './http/admission.ts';
import { clientIp } from './http/client-ip.ts';
import { PREFLIGHT_HEADERS, applyCors, originAllowed } from './http/cors.ts';
import { ApiError, sendError } from './http/errors.ts';
import { memoryRateLimiter, rateLimit, type RateLimit, type RateLimiter } from './http/rate-limit.ts';
import { serveWidgetChunk, serveWidgetScript } from './http/widget-script.ts';
import { silentLogger, type Logger } from './log.ts';
import { receiveMessage } from './messages/route.ts';
import { servePresence } from './presence/route.ts';
import type { ChaportIntegration } from './chaport/integration.ts';
import { conversationRoutes } from './conversations/routes.ts';
import { rulesOf } from './conversations/rules.ts';
import { requireAdmin, type AuthEnv } from './http/auth.ts';
import { integrationRoutes } from './chaport/routes.ts';
import { conversationStream, type ConversationStream } from './conversations/stream.ts';
import { staffRoutes } from './staff/routes.ts';
import { deskRoutes } from './desk/serve.ts';
import { isPreviewId, previewEntry, previewPages } from './settings/preview.ts';
import { settingsRoutes } from './settings/routes.ts';
import type { SettingsConfigSource } from './settings/source.ts';
import { openApiDocument } from './http/openapi.ts';
import { jobRoutes } from './jobs/routes.ts';
import { deliveryRoutes } from './outbound/routes.ts';
import { createPresenceService, type PresenceService } from './presence/service.ts';
import type { AppDatabase } from './storage/open.ts';

/** Limits on public writes (the e-mail form). */
export interface PublicWriteLimits {
  /** Per client address. @default 30 per 10 minutes */
  perIp: RateLimit;
  /** Per widget, all visitors together. @default 600 per 10 minutes */
  perWidget: RateLimit;
}

export const DEFAULT_PUBLIC_WRITE_LIMITS: PublicWriteLimits = {
  perIp: { limit: 30, windowSeconds: 600 },
  perWidget: { limit: 600, windowSeconds: 600 },
};

export interface ApiOptions {
  widgets: ConfigSource;
  db: AppDatabase;
  /** Computes chat presence from Chaport; one is created with default settings when omitted. */
  presence?: PresenceService;
  /** Path of the built script-tag bundle, served at `/omniwidget.js` (with its `.br`/`.gz` beside it, if built). */
  widgetScriptPath?: string;
  /** Rate limits on public writes; `false` turns them off (benchmarks). */
  limits?: PublicWriteLimits | false;
  /** Shared counters for several instances; in-memory by default. */
  rateLimiter?: RateLimiter;
  /** Behind a reverse proxy: the client's address is the last one in `X-Forwarded-For`. @default false */
  trustProxy?: boolean;
  /** False while the server drains (SIGTERM): `/readyz` says so, and load balancers stop sending traffic. */
  accepting?: () => boolean;
  /** The Chaport connection: its webhook receiver and status. */
  chaport?: ChaportIntegration;
  /** For `/v1/openapi.json`. */
  version?: string;
  /** The built agent desk (`dist/desk`), served at `/desk`. */
  deskDir?: string;
  /** The desk's live stream (one per server, so draining can end its connections). */
  stream?: ConversationStream;
  /** The settings pages' API (`/v1/settings`) and the live preview: the configuration kept as versions in the database. */
  settings?: { source: SettingsConfigSource; env: Record<string, string | undefined>; file: string | null };
  now?: () => number;
  log?: Logger;
}

type Env = { Variables: { widget: WidgetEntry } };

/** How long `/readyz` waits for the database before calling it unready. */
const READY_CHECK_MS = 3000;

/**
 * The helpdesk API (v1) as a Hono app: mount it in any server, or run it with `startServer`.
 * Every error is `{"error": {"code", "message", "field"?}}`; nothing thrown inside reaches a client as a stack.
 */
export function createApi(options: ApiOptions): Hono {
  const { widgets, db, log = silentLogger, trustProxy = false, accepting = () => true, now = Date.now } = options;
  const stream = options.stream ?? conversationStream(db);
  const presence = options.presence ?? createPresenceService({ log });
  const limits = options.limits === undefined ? DEFAULT_PUBLIC_WRITE_LIMITS : options.limits;
  const limiter = options.rateLimiter ?? memoryRateLimiter();
  // A flood of e-mail-form posts must not crowd out the reads every visitor's page makes (see http/admission.ts).
  const writes = admission({ concurrent: 64, queued: 1024, perTurn: 4 });
  const app = new Hono();

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    log.info('http.request', { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) });
  });

  // Alive: the process answers. Nothing else is checked, so a restart is never triggered by a slow database.
  app.get('/healthz', (c) => c.json({ ok: true }));
  // Ready: the database takes a real write, a configuration is loaded, and the server is not draining.
  app.get('/readyz', async (c) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const database = await Promise.race([
      db.check(),
      new Promise<Awaited<ReturnType<AppDatabase['check']>>>(
        (resolve) => (timer = setTimeout(() => resolve({ ok: false, backend: db.dialect, error: `no answer within ${READY_CHECK_MS} ms` }), READY_CHECK_MS)),
      ),
    ]);
    clearTimeout(timer);
    // Loaded (it always is once started: a bad configuration stops the start); a server set up in the browser may have none yet.
    const config = { ok: true, widgets: widgets.all().size, loadedAt: new Date(widgets.loadedAt).toISOString() };
    const draining = !accepting();
    const ready = database.ok && config.ok && !draining;
    c.header('Cache-Control', 'no-store');
    return c.json({ ready, draining, database, config }, ready ? 200 : 503);
  });
  if (options.widgetScriptPath) {
    app.get('/omniwidget.js', serveWidgetScript(options.widgetScriptPath));
    app.get('/omniwidget/:file', serveWidgetChunk(options.widgetScriptPath));
  }

  const api = new Hono<Env>();
  const settings = options.settings;
  api.use('/:id/*', async (c, next) => {
    const id = c.req.param('id');
    // A settings page's live preview is served like a widget (see settings/preview.ts).
    const widget = widgets.get(id) ?? (settings && isPreviewId(id) ? await previewEntry(db, id, settings.env, now()) : undefined);
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

  api.get(widgetRoutes.config, (c) => serveConfig(c, c.var.widget));
  api.get(widgetRoutes.replies, (c) => serveReplies(c, db, c.req.param('visitor')));
  api.get(widgetRoutes.presence, (c) => servePresence(c, c.var.widget, presence));
  api.post(
    widgetRoutes.messages,
    (c, next) => {
      // Refused before the body is read; the SDK never sends a request without Origin from a browser.
      const origin = c.req.header('Origin');
      if (origin && !originAllowed(c.var.widget.config, origin))
        throw new ApiError(403, 'origin_not_allowed', `Origin ${origin} is not allowed for widget "${c.var.widget.config.id}"`);
      if (isPreviewId(c.var.widget.config.id)) throw new ApiError(403, 'forbidden', 'This is a preview: its messages are not sent');
      return next();
    },
    limits
      ? rateLimit(limiter, (c) => [
          [`messages:ip:${clientIp(c, trustProxy)}`, limits.perIp],
          [`messages:widget:${c.req.param('id')}`, limits.perWidget],
        ])
      : (_c, next) => next(),
    writes,
    (c) => receiveMessage(c, c.var.widget, db, rulesOf(widgets.helpdesk()), log),
  );
  api.all(widgetRoutes.config, methodNotAllowed('GET'));
  api.all(widgetRoutes.presence, methodNotAllowed('GET'));
  api.all(widgetRoutes.messages, methodNotAllowed('POST'));

  app.route(WIDGET_API_BASE, api);

  // Chaport's webhooks: authenticated by the secret in their path, stored before they are acknowledged.
  const chaport = options.chaport;
  app.post('/v1/chaport/webhooks/:secret/:event', async (c) => {
    if (!chaport || !widgets.helpdesk().chaport) throw new ApiError(404, 'not_found', 'No Chaport integration is configured');
    return chaport.receive(c);
  });

  // Signing in, and the people of the helpdesk (admins only).
  const staffApi = staffRoutes({ db, config: widgets, limiter, trustProxy, now });
  app.route('/v1/session', staffApi.session);
  app.route('/v1/staff', staffApi.staff);

  // The agent API: nothing answers without a session or a token. Each part is mounted under its own prefix, so
  // the check never reaches the public widget endpoints beside it.
  const openApi = openApiDocument(options.version ?? '0');
  app.get('/v1/openapi.json', (c) => c.json(openApi));
  const auth = staffApi.auth;
  const guarded = (routes: Hono<AuthEnv>, ...checks: MiddlewareHandler<AuthEnv>[]) => new Hono<AuthEnv>().use('*', auth, ...checks).route('/', routes);
  app.route('/v1/conversations', guarded(conversationRoutes({ db, config: widgets })));
  app.get('/v1/events', auth, (c) => stream.handle(c as Context<AuthEnv>));
  app.route('/v1/jobs', guarded(jobRoutes(db), requireAdmin));
  app.route('/v1/webhooks', guarded(deliveryRoutes(db), requireAdmin));
  app.route('/v1/integrations', guarded(integrationRoutes({ config: widgets, ...(chaport ? { chaport } : {}) }), requireAdmin));
  if (settings) {
    app.route('/v1/settings', guarded(settingsRoutes({ settings: settings.source, db, env: settings.env, file: settings.file, now }), requireAdmin));
    app.route('/', previewPages());
  }
  if (options.deskDir) app.route('/', deskRoutes({ dir: options.deskDir, config: widgets, version: options.version ?? '0', auth, db, chaport }));

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
