import type { Context } from 'hono';
import { etagOf, ifNoneMatchHits } from '../http/etag.ts';
import type { WidgetEntry } from '../config/file.ts';
import type { PresenceService } from './service.ts';

/**
 * `GET /v1/widgets/{id}/presence`. The ETag covers the availability only (not `checkedAt`), so a poll that
 * finds nothing changed costs a bodiless 304; `max-age` is half the widget's poll interval, so a CDN can
 * answer most polls while no visitor sees a value older than one interval.
 */
export async function servePresence(c: Context, widget: WidgetEntry, presence: PresenceService): Promise<Response> {
  const body = await presence.forWidget(widget);
  const etag = etagOf(JSON.stringify(body.channels), true);
  const maxAge = Math.max(1, Math.min(15, Math.floor(widget.config.presence.pollSeconds / 2)));
  c.header('ETag', etag);
  c.header('Cache-Control', `public, max-age=${maxAge}, s-maxage=${maxAge}, stale-if-error=300`);
  if (ifNoneMatchHits(c.req.header('If-None-Match'), etag)) return c.body(null, 304);
  return c.json(body, 200);
}
