import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import * as v from 'valibot';
import { IDEMPOTENCY_KEY_HEADER, formatIssues, idempotencyKeySchema, issuePath, messageRequestSchema } from '../../contract/index.ts';
import type { WidgetEntry } from '../config/file.ts';
import { ApiError } from '../http/errors.ts';
import type { Logger } from '../log.ts';
import { IdempotencyConflictError, type MessageStore } from './store.ts';

/** Bodies above this are refused with 413 before they are read in full. */
export const MAX_MESSAGE_BODY_BYTES = 32 * 1024;

/**
 * `POST /v1/widgets/{id}/messages`, the e-mail form. `201 {"id"}` is sent only after the row is committed;
 * a retry with the same `Idempotency-Key` and body gets the same id and writes nothing.
 */
export async function receiveMessage(c: Context, widget: WidgetEntry, store: MessageStore, log: Logger): Promise<Response> {
  if (!widget.config.channels.some((channel) => channel.type === 'email' && channel.form))
    throw new ApiError(404, 'not_found', `Widget "${widget.config.id}" has no e-mail form`);

  const contentType = c.req.header('Content-Type') ?? '';
  // JSON only: a cross-site HTML form (text/plain, no preflight) can never write a message.
  if (!/^application\/json\b/i.test(contentType))
    throw new ApiError(415, 'unsupported_media_type', 'Send the message as application/json');

  const keyHeader = c.req.header(IDEMPOTENCY_KEY_HEADER);
  let idempotencyKey: string;
  if (keyHeader === undefined) idempotencyKey = `server-${randomUUID()}`;
  else {
    const key = v.safeParse(idempotencyKeySchema, keyHeader);
    if (!key.success) throw new ApiError(400, 'invalid_idempotency_key', `${IDEMPOTENCY_KEY_HEADER} ${key.issues[0].message}`, IDEMPOTENCY_KEY_HEADER);
    idempotencyKey = key.output;
  }

  let input: unknown;
  try {
    input = await c.req.json();
  } catch {
    throw new ApiError(400, 'invalid_json', 'The body is not valid JSON');
  }
  const parsed = v.safeParse(messageRequestSchema, input);
  if (!parsed.success) {
    const first = parsed.issues[0];
    throw new ApiError(400, 'invalid_body', formatIssues(parsed.issues).replaceAll('\n', '; '), issuePath(first) || undefined);
  }

  let result;
  try {
    result = store.save(widget.config.id, idempotencyKey, parsed.output, { origin: c.req.header('Origin') ?? null });
  } catch (error) {
    if (error instanceof IdempotencyConflictError) throw new ApiError(422, 'idempotency_key_reused', error.message, IDEMPOTENCY_KEY_HEADER);
    // The write did not happen: say so, so the client keeps the message and retries.
    log.error('message.store_failed', { widget: widget.config.id, reason: (error as Error).message });
    throw new ApiError(503, 'unavailable', 'The message could not be stored; retry later', undefined, { 'Retry-After': '5' });
  }

  if (!result.replayed) log.info('message.stored', { widget: widget.config.id, id: result.message.id });
  c.header('Cache-Control', 'no-store');
  if (result.replayed) c.header('Idempotent-Replayed', 'true');
  return c.json({ id: result.message.id }, 201);
}
