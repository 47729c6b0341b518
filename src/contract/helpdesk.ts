import * as v from 'valibot';
import { httpUrlSchema } from './config.ts';

/**
 * The helpdesk side, defined once: the integration's settings (groups, the Chaport connection, routing and
 * automation rules, outbound webhooks) and the conversations the agent API serves. The server validates its
 * configuration file and its API with these; the desk and settings apps use the same shapes.
 */

const slug = (what: string) => v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, `must be a ${what} id: 1–64 lowercase letters, digits, "-" or "_"`));
const name = v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(100, 'must be at most 100 characters'));
const envName = v.pipe(v.string(), v.regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name'));

export const CHANNELS = ['online_chat', 'email'] as const;
export type ConversationChannel = (typeof CHANNELS)[number];
/** Chatwoot's statuses: a case is open (needs an answer), pending (waits on the customer), resolved, or snoozed. */
export const STATUSES = ['open', 'pending', 'resolved', 'snoozed'] as const;
export type ConversationStatus = (typeof STATUSES)[number];
/** A live chat is answered in real time; once completed it is a case like any e-mail. */
export const PHASES = ['live', 'case'] as const;
export type ConversationPhase = (typeof PHASES)[number];
export const COMPLETED_BY = ['agent', 'idle', 'chaport', 'rule'] as const;
export type CompletedBy = (typeof COMPLETED_BY)[number];
export const AUTHORS = ['visitor', 'agent', 'operator', 'bot', 'system'] as const;
export type MessageAuthor = (typeof AUTHORS)[number];
export const WEBHOOK_EVENTS = ['conversation.created', 'message.created', 'conversation.completed'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/**
 * A page pattern as a person writes it: `/pricing*`, `/docs/api*`, `https://acme.example/contact`. `*` matches
 * anything; a pattern starting with `/` is matched against the path (and query) only.
 */
export const pagePatternSchema = v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(500, 'must be at most 500 characters'), v.regex(/^(\/|https?:\/\/|\*)/, 'must start with "/", "http(s)://" or "*"'));

export const groupSchema = v.strictObject({ id: slug('group'), name });
export type Group = v.InferOutput<typeof groupSchema>;

export const routingRuleSchema = v.strictObject({ startPage: pagePatternSchema, group: slug('group') });
export type RoutingRule = v.InferOutput<typeof routingRuleSchema>;

export const conditionSchema = v.variant('field', [
  v.strictObject({ field: v.literal('channel'), op: v.literal('equals'), value: v.picklist(CHANNELS, 'must be "online_chat" or "email"') }),
  v.strictObject({ field: v.literal('group'), op: v.literal('equals'), value: slug('group') }),
  v.strictObject({ field: v.literal('startPage'), op: v.literal('matches'), value: pagePatternSchema }),
  v.strictObject({
    field: v.literal('messageText'),
    op: v.picklist(['contains', 'matches'], 'must be "contains" or "matches"'),
    value: v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(500, 'must be at most 500 characters')),
  }),
], 'must be one of: channel, group, startPage, messageText');
export type Condition = v.InferOutput<typeof conditionSchema>;

export const actionSchema = v.variant('type', [
  v.strictObject({ type: v.literal('setGroup'), group: slug('group') }),
  v.strictObject({ type: v.literal('assign'), agent: v.pipe(v.string(), v.email('must be the agent\'s e-mail address')) }),
  /** The seed's "complete the chat and set a status": the chat joins the case list at once. */
  v.strictObject({ type: v.literal('completeChat'), status: v.picklist(STATUSES, `must be one of: ${STATUSES.join(', ')}`) }),
], 'must be one of: setGroup, assign, completeChat');
export type Action = v.InferOutput<typeof actionSchema>;

export const automationRuleSchema = v.strictObject({
  id: slug('rule'),
  name,
  /** When the rule is looked at: a new conversation, or each message a visitor writes. */
  on: v.picklist(['conversation.created', 'message.created'], 'must be "conversation.created" or "message.created"'),
  /** All must hold. */
  conditions: v.pipe(v.array(conditionSchema), v.maxLength(20, 'at most 20 conditions')),
  actions: v.pipe(v.array(actionSchema), v.minLength(1, 'needs at least one action'), v.maxLength(10, 'at most 10 actions')),
});
export type AutomationRule = v.InferOutput<typeof automationRuleSchema>;

/** The seed's two places for Chaport's visitor data: a separate integrations panel, or under the visitor's recent cases. */
export const PANEL_MODES = ['integrations', 'info'] as const;
export type PanelMode = (typeof PANEL_MODES)[number];

export const chaportIntegrationSchema = v.strictObject({
  region: v.optional(v.picklist(['com', 'ru'], 'must be "com" or "ru"'), 'com'),
  /** Chaport's REST API base; by region when omitted (the sandbox in the demo and tests). */
  apiUrl: v.optional(httpUrlSchema),
  /** The environment variable holding the API token: the token itself never sits in a file. */
  apiTokenEnv: v.optional(envName, 'CHAPORT_API_TOKEN'),
  defaultGroup: v.optional(slug('group')),
  /** First match wins: `{"startPage": "/pricing*", "group": "billing"}`. */
  routing: v.optional(v.pipe(v.array(routingRuleSchema), v.maxLength(200, 'at most 200 rules')), []),
  /** A live chat silent on both sides this long is completed. */
  idleMinutes: v.optional(v.pipe(v.number(), v.integer('must be whole minutes'), v.minValue(1, 'must be at least 1'), v.maxValue(1440, 'must be at most 1440')), 10),
  panel: v.optional(v.picklist(PANEL_MODES, 'must be "integrations" or "info"'), 'integrations'),
  /** How often recent chats are read back over REST, to repair webhooks that never came. */
  reconcileMinutes: v.optional(v.pipe(v.number(), v.minValue(0.05, 'must be at least 0.05'), v.maxValue(1440, 'must be at most 1440')), 5),
  /**
   * How a staff member added later answers chats: as a chosen Chaport operator (several people may share one, to save
   * licences; their replies then show under its name), as an operator created with their name on their first reply,
   * or not at all until an admin maps them.
   */
  newStaff: v.optional(
    v.variant('mapping', [
      v.strictObject({ mapping: v.literal('operator'), operatorId: v.pipe(v.string(), v.minLength(1, 'is required')) }),
      v.strictObject({ mapping: v.literal('create') }),
      v.strictObject({ mapping: v.literal('none') }),
    ], 'must be "operator" (with "operatorId"), "create" or "none"'),
    { mapping: 'create' },
  ),
  /** Push each agent's desk status (online / away) to their Chaport operator, so "hide the chat when everyone is offline" follows the desk. Off by default. */
  syncAgentStatus: v.optional(v.boolean('must be true or false'), false),
});
export type ChaportIntegration = v.InferOutput<typeof chaportIntegrationSchema>;

export const webhookEndpointSchema = v.strictObject({
  id: slug('endpoint'),
  url: httpUrlSchema,
  /** The environment variable holding the signing secret (`whsec_…`, Standard Webhooks). */
  secretEnv: envName,
  events: v.optional(v.pipe(v.array(v.picklist(WEBHOOK_EVENTS, `must be one of: ${WEBHOOK_EVENTS.join(', ')}`)), v.minLength(1, 'needs at least one event')), [...WEBHOOK_EVENTS]),
});
export type WebhookEndpoint = v.InferOutput<typeof webhookEndpointSchema>;

export const helpdeskSettingsSchema = v.strictObject({
  /** Where Chaport and browsers reach this server (webhook URLs are made from it). */
  publicUrl: v.optional(httpUrlSchema),
  groups: v.optional(v.pipe(v.array(groupSchema), v.minLength(1, 'needs at least one group')), [{ id: 'general', name: 'General' }]),
  chaport: v.optional(chaportIntegrationSchema),
  automation: v.optional(v.pipe(v.array(automationRuleSchema), v.maxLength(200, 'at most 200 rules')), []),
  webhooks: v.optional(v.pipe(v.array(webhookEndpointSchema), v.maxLength(20, 'at most 20 endpoints')), []),
});
export type HelpdeskSettings = v.InferOutput<typeof helpdeskSettingsSchema>;

// --- The agent API ------------------------------------------------------------------------------------

const unknownOr = <T extends v.GenericSchema>(schema: T) => v.nullable(schema);

/**
 * What Chaport tells of the visitor, kept with the conversation and refreshed with each event. `null` is
 * "Chaport did not say": shown as unknown, never guessed.
 */
export const visitorSnapshotSchema = v.object({
  chaportVisitorId: unknownOr(v.string()),
  name: unknownOr(v.string()),
  email: unknownOr(v.string()),
  phone: unknownOr(v.string()),
  lastVisitAt: unknownOr(v.string()),
  currentPage: unknownOr(v.string()),
  startPage: unknownOr(v.string()),
  browser: unknownOr(v.string()),
  ip: unknownOr(v.string()),
  language: unknownOr(v.string()),
  os: unknownOr(v.string()),
  location: unknownOr(v.string()),
  /** The pre-chat form's and the site's own fields. */
  custom: v.record(v.string(), v.union([v.string(), v.number(), v.boolean()])),
});
export type VisitorSnapshot = v.InferOutput<typeof visitorSnapshotSchema>;

export const conversationMessageSchema = v.object({
  id: v.string(),
  author: v.picklist(AUTHORS),
  authorName: unknownOr(v.string()),
  text: v.string(),
  createdAt: v.string(),
  /** Chaport's event id for chat messages; the idempotency key of an e-mail-form message. */
  externalId: unknownOr(v.string()),
  /** An agent's reply on its way through Chaport. */
  delivery: unknownOr(v.picklist(['sending', 'sent', 'failed'])),
});
export type ConversationMessage = v.InferOutput<typeof conversationMessageSchema>;

export const conversationSchema = v.object({
  id: v.string(),
  number: v.number(),
  channel: v.picklist(CHANNELS),
  phase: v.picklist(PHASES),
  status: v.picklist(STATUSES),
  group: v.string(),
  assignee: unknownOr(v.string()),
  widgetId: unknownOr(v.string()),
  subject: v.string(),
  /** Who the conversation is with, across conversations: `chaport:<visitor id>` or `email:<address>`. */
  visitorKey: v.string(),
  visitor: visitorSnapshotSchema,
  startPage: unknownOr(v.string()),
  createdAt: v.string(),
  lastActivityAt: v.string(),
  /** A live chat is completed when nothing happens until then. */
  liveUntil: unknownOr(v.string()),
  completedAt: unknownOr(v.string()),
  completedBy: unknownOr(v.picklist(COMPLETED_BY)),
  messageCount: v.number(),
  /** Visitor messages since the last answer (what the desk counts as waiting). */
  unanswered: v.number(),
  lastMessage: unknownOr(v.object({ author: v.picklist(AUTHORS), text: v.string(), createdAt: v.string() })),
});
export type Conversation = v.InferOutput<typeof conversationSchema>;

export const conversationDetailSchema = v.object({ ...conversationSchema.entries, messages: v.array(conversationMessageSchema) });
export type ConversationDetail = v.InferOutput<typeof conversationDetailSchema>;

export const conversationListSchema = v.object({
  conversations: v.array(conversationSchema),
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: v.nullable(v.string()),
});
export type ConversationList = v.InferOutput<typeof conversationListSchema>;

/** `GET /v1/conversations` query. */
export const conversationQuerySchema = v.object({
  view: v.optional(v.picklist(['live', 'cases', 'all'], 'must be "live", "cases" or "all"'), 'all'),
  channel: v.optional(v.picklist(CHANNELS, 'must be "online_chat" or "email"')),
  status: v.optional(v.picklist(STATUSES, `must be one of: ${STATUSES.join(', ')}`)),
  group: v.optional(slug('group')),
  /** The conversations of one visitor (their `visitorKey`): the desk's "recent cases". */
  visitor: v.optional(v.pipe(v.string(), v.maxLength(300))),
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d{1,3}$/, 'must be a number from 1 to 200'), v.transform(Number), v.minValue(1, 'must be at least 1'), v.maxValue(200, 'must be at most 200')), '50'),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(200))),
});

export const completeRequestSchema = v.object({
  status: v.optional(v.picklist(STATUSES, `must be one of: ${STATUSES.join(', ')}`), 'resolved'),
});
