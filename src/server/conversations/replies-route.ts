import type { Context } from 'hono';
import { etagOf, ifNoneMatchHits } from '../http/etag.ts';
import type { AppDatabase } from '../storage/open.ts';
import { ApiError } from '../http/errors.ts';

/**
 * `GET /v1/widgets/{id}/replies/{visitor}`: when an agent or operator last wrote to this widget visitor
 * (`{"lastReplyAt": "…" | null}`) — the signal a widget whose chat is closed polls, so it can re-open on a reply
 * without relying on Chaport's undocumented widget states. The visitor id is the widget's own random id (128 bits,
 * given to Chaport as a custom field); the answer holds only a time. ETag + 304, never cached by others.
 */
export async function serveReplies(c: Context, db: AppDatabase, visitor: string): Promise<Response> {
  if (!/^[\w-]{16,64}$/.test(visitor)) throw new ApiError(400, 'bad_request', 'The visitor id must be 16–64 letters, digits, "-" or "_"', 'visitor');
  const row = await db.read((q) => q.get<{ at: number | null }>('SELECT MAX(last_reply_at) AS at FROM conversations WHERE widget_visitor = ?', [visitor]));
  const body = JSON.stringify({ lastReplyAt: row?.at == null ? null : new Date(Number(row.at)).toISOString() });
  const etag = etagOf(body, true);
  c.header('ETag', etag);
  c.header('Cache-Control', 'private, no-cache');
  if (ifNoneMatchHits(c.req.header('If-None-Match'), etag)) return c.body(null, 304);
  c.header('Content-Type', 'application/json; charset=utf-8');
  return c.body(body, 200);
}
