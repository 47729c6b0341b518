import { toJsonSchema } from '@valibot/to-json-schema';
import type { BaseIssue, BaseSchema } from 'valibot';
import { completeRequestSchema, conversationDetailSchema, conversationListSchema } from '../../contract/helpdesk.ts';
import { errorBodySchema, messageRequestSchema, messageResponseSchema, presenceResponseSchema } from '../../contract/api.ts';
import { widgetConfigSchema } from '../../contract/config.ts';
import { IDEMPOTENCY_KEY_HEADER, WIDGET_API_BASE, widgetRoutes } from '../../contract/wire.ts';

/** A contract route (`/:id/config`) as OpenAPI writes it: `/v1/widgets/{widgetId}/config`. */
const openApiPath = (route: string) => WIDGET_API_BASE + route.replace(':id', '{widgetId}').replace(/:(\w+)/g, '{$1}');

type Schema = BaseSchema<unknown, unknown, BaseIssue<unknown>>;

/** JSON Schema of a contract schema; checks valibot cannot express (custom, rawCheck) are left to the prose. */
const json = (schema: Schema, typeMode: 'input' | 'output' = 'output') => toJsonSchema(schema, { errorMode: 'ignore', typeMode });

const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [String(status), { description: 'Error: `{"error": {"code", "message", "field"?}}`', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }]));
const ok = (ref: string, description = 'OK') => ({ description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const param = (name: string, where: 'path' | 'query', description: string, schema: Record<string, unknown> = { type: 'string' }, required = where === 'path') => ({ name, in: where, required, description, schema });
const bearer = [{ token: [] }];

/**
 * `GET /v1/openapi.json`: the API's description, generated from the same valibot schemas the server validates
 * with (src/contract), so it cannot drift from what the server does.
 */
export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'omniwidget helpdesk API',
      version,
      description: 'Widget-facing endpoints (public, CORS per widget) and the agent API (Bearer API token). Every error is `{"error": {"code", "message", "field"?}}`.',
    },
    components: {
      securitySchemes: { token: { type: 'http', scheme: 'bearer', description: 'An API token (`owt_…`): `omniwidget-server token create --name …`' } },
      schemas: {
        Error: json(errorBodySchema),
        WidgetConfig: json(widgetConfigSchema),
        Presence: json(presenceResponseSchema),
        MessageRequest: json(messageRequestSchema, 'input'),
        MessageResponse: json(messageResponseSchema),
        ConversationList: json(conversationListSchema),
        Conversation: json(conversationDetailSchema),
        CompleteRequest: json(completeRequestSchema, 'input'),
      },
    },
    paths: {
      [openApiPath(widgetRoutes.config)]: {
        get: { summary: "A widget's public configuration (ETag, 304)", parameters: [param('widgetId', 'path', 'The widget id')], responses: { '200': ok('WidgetConfig'), '304': { description: 'Not modified' }, ...errors(404) } },
      },
      [openApiPath(widgetRoutes.presence)]: {
        get: { summary: 'Chat availability per presence-aware channel (ETag, 304)', parameters: [param('widgetId', 'path', 'The widget id')], responses: { '200': ok('Presence'), '304': { description: 'Not modified' }, ...errors(404) } },
      },
      [openApiPath(widgetRoutes.messages)]: {
        post: {
          summary: 'The e-mail form: stored durably before 201; it becomes a case on the `email` channel',
          parameters: [param('widgetId', 'path', 'The widget id'), { name: IDEMPOTENCY_KEY_HEADER, in: 'header', required: false, description: 'Makes retries safe: 8–128 printable characters', schema: { type: 'string' } }],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/MessageRequest' } } } },
          responses: { '201': ok('MessageResponse', 'Stored'), ...errors(400, 403, 404, 413, 415, 422, 429, 503) },
        },
      },
      '/v1/conversations': {
        get: {
          summary: 'Live chats, the case list (completed chats and e-mails), or all; most recent activity first',
          security: bearer,
          parameters: [
            param('view', 'query', '`live`, `cases` or `all` (default)', { enum: ['live', 'cases', 'all'] }),
            param('channel', 'query', '`online_chat` or `email`', { enum: ['online_chat', 'email'] }),
            param('status', 'query', 'open, pending, resolved or snoozed', { enum: ['open', 'pending', 'resolved', 'snoozed'] }),
            param('group', 'query', 'A group id'),
            param('limit', 'query', '1–200 (default 50)', { type: 'integer' }),
            param('cursor', 'query', '`nextCursor` of the previous page'),
          ],
          responses: { '200': ok('ConversationList'), ...errors(400, 401) },
        },
      },
      '/v1/conversations/{id}': {
        get: { summary: 'A conversation with its messages and the visitor data', security: bearer, parameters: [param('id', 'path', 'The conversation id')], responses: { '200': ok('Conversation'), ...errors(401, 404) } },
      },
      '/v1/conversations/{id}/complete': {
        post: {
          summary: 'Complete a live chat and set its status: it joins the case list',
          security: bearer,
          parameters: [param('id', 'path', 'The conversation id')],
          requestBody: { required: false, content: { 'application/json': { schema: { $ref: '#/components/schemas/CompleteRequest' } } } },
          responses: { '200': ok('Conversation'), ...errors(400, 401, 404, 409) },
        },
      },
      '/v1/jobs': { get: { summary: 'Background jobs: waiting (`state=queued`) or dead letters (`state=dead`)', security: bearer, parameters: [param('state', 'query', '`queued` or `dead`'), param('kind', 'query', 'A job kind')], responses: { '200': { description: 'OK' }, ...errors(400, 401) } } },
      '/v1/jobs/{id}/retry': { post: { summary: 'Give a dead job another round of attempts', security: bearer, parameters: [param('id', 'path', 'The job id')], responses: { '200': { description: 'Revived' }, ...errors(401, 404) } } },
      '/v1/webhooks/deliveries': {
        get: { summary: 'Outbound webhook deliveries, newest first', security: bearer, parameters: [param('endpoint', 'query', 'An endpoint id'), param('state', 'query', '`pending`, `delivered` or `dead`')], responses: { '200': { description: 'OK' }, ...errors(400, 401) } },
      },
      '/v1/integrations/chaport': { get: { summary: "The Chaport connection's state: account, subscriptions, last event", security: bearer, responses: { '200': { description: 'OK' }, ...errors(401) } } },
      '/v1/chaport/webhooks/{secret}/{event}': {
        post: { summary: "Chaport's webhooks (the path secret authenticates them); acknowledged once stored", parameters: [param('secret', 'path', 'The path secret'), param('event', 'path', 'The Chaport event')], responses: { '202': { description: 'Stored' }, ...errors(400, 404) } },
      },
      '/healthz': { get: { summary: 'The process answers', responses: { '200': { description: 'Alive' } } } },
      '/readyz': { get: { summary: 'The database takes a write and a configuration is loaded', responses: { '200': { description: 'Ready' }, '503': { description: 'Not ready (or draining)' } } } },
    },
  };
}
