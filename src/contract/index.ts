/**
 * `omniwidget/contract`: the wire format between the SDK and the helpdesk API, defined once — schemas (valibot),
 * the types inferred from them, and the routes and headers. This barrel is the public surface, kept to what an
 * integrator needs to call or serve the API; the SDK and the server import the files beside it directly.
 */
export { channelSchema, widgetConfigSchema } from './config.ts';
export type { Channel, ChannelOf, ChannelType, ChaportChannel, LocalizedText, WidgetConfig, WidgetConfigInput } from './config.ts';
export { errorBodySchema, messageRequestSchema, messageResponseSchema, presenceResponseSchema } from './api.ts';
export type { ChannelPresence, ErrorBody, ErrorCode, MessageRequest, MessageResponse, PresenceResponse } from './api.ts';
export { formatIssues } from './issues.ts';
export { DEFAULT_TEXTS } from './texts.ts';
export type { TextKey, Texts } from './texts.ts';
export {
  CHANNEL_TYPES,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  LOCALES,
  WIDGET_API_BASE,
  apiPaths,
  widgetRoutes,
} from './wire.ts';
export type { Locale } from './wire.ts';
