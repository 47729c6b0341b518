/**
 * The wire format's names and routes: plain constants, no schema library. The SDK's first chunk (what loads before a
 * visitor interacts, #11) needs these and nothing heavier; the schemas beside this file build on them, and the
 * server routes with the same patterns, so the two sides cannot disagree on a path or a header.
 */

export const LOCALES = ['en', 'ru'] as const;
export type Locale = (typeof LOCALES)[number];

/** Every channel type the contract knows, in the order the settings offer them. */
export const CHANNEL_TYPES = ['chaport', 'telegram', 'whatsapp', 'viber', 'vk', 'messenger', 'email', 'phone', 'link'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const WIDGET_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The widget-facing API's base, and its routes below it as Hono patterns (`:id` is the widget id). */
export const WIDGET_API_BASE = '/v1/widgets';
export const widgetRoutes = {
  config: '/:id/config',
  presence: '/:id/presence',
  messages: '/:id/messages',
  replies: '/:id/replies/:visitor',
} as const;

const fillRoute = (route: string, params: Record<string, string>) =>
  WIDGET_API_BASE + route.replace(/:(\w+)/g, (_mark, name: string) => encodeURIComponent(params[name] ?? ''));

/** Helpdesk API v1 paths as the SDK calls them: the routes above, filled in. */
export const apiPaths = {
  config: (widgetId: string) => fillRoute(widgetRoutes.config, { id: widgetId }),
  presence: (widgetId: string) => fillRoute(widgetRoutes.presence, { id: widgetId }),
  messages: (widgetId: string) => fillRoute(widgetRoutes.messages, { id: widgetId }),
  replies: (widgetId: string, visitorId: string) => fillRoute(widgetRoutes.replies, { id: widgetId, visitor: visitorId }),
} as const;

/** The header that makes `POST /messages` safe to retry (IETF draft "The Idempotency-Key HTTP Header Field"). */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** Set on the answer to a retried `POST /messages` that was already stored: the same answer, nothing stored twice. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/**
 * The Chaport custom visitor field in which the SDK puts its own visitor id (with `setVisitorData`, Chaport's
 * documented way): how the helpdesk knows which widget a reply is for (`replies`).
 */
export const WIDGET_VISITOR_FIELD = 'omniwidget';
