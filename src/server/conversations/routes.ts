import { Hono } from 'hono';
import * as v from 'valibot';
import { completeRequestSchema, conversationQuerySchema } from '../../contract/helpdesk.ts';
import { formatIssues, issuePath } from '../../contract/index.ts';
import type { ConfigSource } from '../config/source.ts';
import type { AuthEnv } from '../http/auth.ts';
import { ApiError } from '../http/errors.ts';
import { readJson } from '../http/json-body.ts';
import { CommandError } from '../storage/database.ts';
import type { AppDatabase } from '../storage/open.ts';
import { getConversation, listConversations } from './queries.ts';
import { rulesOf } from './rules.ts';

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
    return c.json(await db.read((q) => listConversations(q, query.output)));
  });
  api.get('/:id', async (c) => {
    const found = await db.read((q) => getConversation(q, c.req.param('id')));
    if (!found) throw new ApiError(404, 'not_found', `No conversation ${c.req.param('id')}`);
    return c.json(found);
  });
  api.post('/:id/complete', async (c) => {
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
