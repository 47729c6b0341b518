import type { Context } from 'hono';
import { sendResource } from '../http/compress.ts';
import type { WidgetEntry } from './file.ts';

/** `GET /v1/widgets/{id}/config`: the public configuration, computed once per load; compressed once per encoding; 304 on a matching ETag. */
export function serveConfig(c: Context, widget: WidgetEntry): Response {
  // A minute of freshness, then a cheap revalidation: configuration changes reach visitors quickly.
  c.header('Cache-Control', 'public, max-age=60, stale-while-revalidate=600');
  return sendResource(c, widget.resource);
}
