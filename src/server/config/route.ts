import type { Context } from 'hono';
import { sendResource } from '../http/compress.ts';
import type { WidgetEntry } from './file.ts';

/** `GET /v1/widgets/{id}/config`: the public configuration, computed once per load; compressed once per encoding; 304 on a matching ETag. */
export function serveConfig(c: Context, widget: WidgetEntry): Response {
  // Revalidated on every load (a bodiless 304 while unchanged): a change saved in the settings reaches the very next
  // page load, as the settings page promises (#10).
  c.header('Cache-Control', 'public, no-cache');
  return sendResource(c, widget.resource);
}
