/**
 * The wire format between the SDK and the helpdesk API, defined once: schemas (valibot) and the types
 * inferred from them. Both `src/widget` and `src/server` import from here and nowhere else.
 */
export {
  CHANNEL_TYPES,
  LOCALES,
  chaportChannelEntries,
  channelRules,
  channelSchema,
  channelShapes,
  httpUrlSchema,
  themeSchema,
  widgetConfigEntries,
  widgetConfigSchema,
  widgetIdSchema,
} from './config.ts';
export type { Channel, ChannelOf, ChannelType, ChaportChannel, Locale, LocalizedText, WidgetConfig, WidgetConfigInput } from './config.ts';
export {
  ERROR_CODES,
  IDEMPOTENCY_KEY_HEADER,
  MESSAGE_LIMITS,
  apiPaths,
  WIDGET_VISITOR_FIELD,
  errorBodySchema,
  idempotencyKeySchema,
  messageRequestSchema,
  messageResponseSchema,
  presenceResponseSchema,
} from './api.ts';
export type { ChannelPresence, ErrorBody, ErrorCode, MessageField, MessageRequest, MessageResponse, PresenceResponse } from './api.ts';
export { formatIssues, issueMessage, issuePath } from './issues.ts';
export { DEFAULT_TEXTS, fill, textsSchema } from './texts.ts';
export type { TextKey, Texts } from './texts.ts';
