import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import { completeRequestSchema, conversationQuerySchema } from '../../contract/helpdesk.ts';
import { formatIssues, issuePath } from '../../contract/issues.ts';
import type { ConfigSource } from '../config/source.ts';
import { staffOf, type AuthEnv, type Principal } from '../http/auth.ts';
import { canSee } from '../staff/staff.ts';
import { ApiError } from '../http/errors.ts';
import { readJson } from '../http/json-body.ts';
import { CommandError } from '../storage/database.ts';
import type { AppDatabase } from '../storage/open.ts';
import { getConversation, listConversations } from './queries.ts';
import type { Conversation } from '../../contract/helpdesk.ts';
import { rulesOf } from './rules.ts';

const replySchema = v.object({ text: v.pipe(v.string('is required'), v.check((text) => text.trim() !== '', 'is required'), v.maxLength(10_000, 'must be at most 10000 characters')) });

/** An agent sees the conversations of their channels and groups; admins and API tokens see all. */
const visibleTo = (principal: Principal) => (principal.kind === 'staff' && principal.staff.role !== 'admin' ? { channels: principal.staff.channels, groups: principal.staff.groups } : undefined);
const mayAccess = (principal: Principal, conversation: Pick<Conversation, 'channel' | 'group'>) => principal.kind === 'token' || canSee(principal.staff, conversation);

const invalid = (code: 'invalid_query' | 'invalid_body', issues: [v.BaseIssue<unknown>, ...v.BaseIssue<unknown>[]]) =>
  new ApiError(400, code, formatIssues(issues).replaceAll('\n', '; '), issuePath(issues[0]) || undefined);

/**
 * `/v1/conversations`: live chats, the case list (completed chats and e-mails), one conversation with its messages
 * and visitor data, and completing a live chat. Shapes: contract/helpdesk.ts; documented in `/v1/openapi.json`.
 */
export function conversationRoutes({ db, config }: { db: AppDatabase; config: ConfigSource }): Hono<AuthEnv> {
  const api = new Hono<AuthEnv>();
  api.get('/', async (c) => {
    const query = v.safeParse(conversationQuerySchema, c.req.query());
    if (!query.success) throw invalid('invalid_query', query.issues);
    return c.json(await db.read((q) => listConversations(q, { ...query.output, visibleTo: visibleTo(c.var.principal) })));
  });
  /** The conversation, if it exists and the caller may see it: 404 either way, so existence is not disclosed. */
  const visible = async (c: Context<AuthEnv>) => {
    const found = await db.read((q) => getConversation(q, c.req.param('id')!));
    if (!found || !mayAccess(c.var.principal, found)) throw new ApiError(404, 'not_found', `No conversation ${c.req.param('id')}`);
    return found;
  };
  api.get('/:id', async (c) => c.json(await visible(c)));
  // An agent's reply, sent through Chaport as the operator mapped to them. Sent as a person, so a session is needed.
  api.post('/:id/messages', async (c) => {
    await visible(c);
    const staff = staffOf(c);
    const body = v.safeParse(replySchema, await readJson(c, 64 * 1024));
    if (!body.success) throw invalid('invalid_body', body.issues);
    try {
      const message = await db.write('conversations.reply', { conversationId: c.req.param('id'), staff: { id: staff.id, name: staff.name }, text: body.output.text, rules: rulesOf(config.helpdesk()) });
      return c.json(message, 201);
    } catch (error) {
      if (error instanceof CommandError && error.code === 'not_chat') throw new ApiError(409, 'conflict', error.message);
      throw error;
    }
  });
  api.post('/:id/messages/:messageId/retry', async (c) => {
    await visible(c);
    try {
      return c.json(await db.write('conversations.retryReply', { messageId: c.req.param('messageId') }));
    } catch (error) {
      if (error instanceof CommandError && error.code === 'not_found') throw new ApiError(404, 'not_found', error.message);
      if (error instanceof CommandError && error.code === 'not_failed') throw new ApiError(409, 'conflict', error.message);
      throw error;
    }
  });
  api.post('/:id/complete', async (c) => {
    await visible(c);
    const body = v.safeParse(completeRequestSchema, (await readJson(c, 4096)) ?? {});
    if (!body.success) throw invalid('invalid_body', body.issues);
    try {
      await db.write('conversations.complete', { id: c.req.param('id'), status: body.output.status, rules: rulesOf(config.helpdesk()) });
    } catch (error) {
      if (error instanceof CommandError && error.code === 'not_found') throw new ApiError(404, 'not_found', error.message);
      if (error instanceof CommandError && error.code === 'not_live') throw new ApiError(409, 'conflict', error.message);
      throw error;
    }
    return c.json((await db.read((q) => getConversation(q, c.req.param('id'))))!);
  });
  return api;
}
