import type { Context } from 'hono';
import { ifNoneMatchHits } from '../http/etag.ts';
import type { WidgetEntry } from './file.ts';

/** `GET /v1/widgets/{id}/config`: the public configuration, computed once at start; 304 on a matching ETag. */
export function serveConfig(c: Context, widget: WidgetEntry): Response {
  c.header('ETag', widget.etag);
  // A minute of freshness, then a cheap revalidation: configuration changes reach visitors quickly.
  c.header('Cache-Control', 'public, max-age=60, stale-while-revalidate=600');
  if (ifNoneMatchHits(c.req.header('If-None-Match'), widget.etag)) return c.body(null, 304);
  c.header('Content-Type', 'application/json; charset=utf-8');
  return c.body(widget.json, 200);
}
