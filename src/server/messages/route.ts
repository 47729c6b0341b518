import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import * as v from 'valibot';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from '../../contract/wire.ts';
import { formatIssues, issuePath } from '../../contract/issues.ts';
import { idempotencyKeySchema, messageRequestSchema } from '../../contract/api.ts';
import type { WidgetEntry } from '../config/file.ts';
import type { ConversationRules } from '../conversations/commands.ts';
import { ApiError } from '../http/errors.ts';
import { readJson } from '../http/json-body.ts';
import type { Logger } from '../log.ts';
import { CommandError, StorageUnavailableError } from '../storage/database.ts';
import type { AppDatabase } from '../storage/open.ts';

/** Bodies above this are refused with 413 before they are read in full. */
export const MAX_MESSAGE_BODY_BYTES = 32 * 1024;

/**
 * `POST /v1/widgets/{id}/messages`, the e-mail form. `201 {"id"}` is sent only after the row is committed;
 * a retry with the same `Idempotency-Key` and body gets the same id and writes nothing. In the same transaction it
 * becomes a case on the `email` channel.
 */
export async function receiveMessage(c: Context, widget: WidgetEntry, db: AppDatabase, rules: ConversationRules, log: Logger): Promise<Response> {
  if (!widget.config.channels.some((channel) => channel.type === 'email' && channel.form))
    throw new ApiError(404, 'not_found', `Widget "${widget.config.id}" has no e-mail form`);

  const keyHeader = c.req.header(IDEMPOTENCY_KEY_HEADER);
  let idempotencyKey: string;
  if (keyHeader === undefined) idempotencyKey = `server-${randomUUID()}`;
  else {
    const key = v.safeParse(idempotencyKeySchema, keyHeader);
    if (!key.success) throw new ApiError(400, 'invalid_idempotency_key', `${IDEMPOTENCY_KEY_HEADER} ${key.issues[0].message}`, IDEMPOTENCY_KEY_HEADER);
    idempotencyKey = key.output;
  }

  const parsed = v.safeParse(messageRequestSchema, await readJson(c, MAX_MESSAGE_BODY_BYTES));
  if (!parsed.success) throw new ApiError(400, 'invalid_body', formatIssues(parsed.issues).replaceAll('\n', '; '), issuePath(parsed.issues[0]) || undefined);

  let result;
  try {
    result = await db.write('messages.save', { widgetId: widget.config.id, idempotencyKey, request: parsed.output, origin: c.req.header('Origin') ?? null, rules });
  } catch (error) {
    if (error instanceof CommandError && error.code === 'idempotency_key_reused') throw new ApiError(422, 'idempotency_key_reused', error.message, IDEMPOTENCY_KEY_HEADER);
    if (!(error instanceof StorageUnavailableError)) throw error;
    // The write did not happen (or not in time): say so, so the client keeps the message and retries with its key.
    log.error('message.store_failed', { widget: widget.config.id, reason: error.message });
    throw new ApiError(503, 'unavailable', 'The message could not be stored; retry later', undefined, { 'Retry-After': '5' });
  }

  if (!result.replayed) log.info('message.stored', { widget: widget.config.id, id: result.message.id });
  c.header('Cache-Control', 'no-store');
  if (result.replayed) c.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
  return c.json({ id: result.message.id }, 201);
}
