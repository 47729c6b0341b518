import type { Context } from 'hono';
import type { WidgetConfig } from '../../contract/config.ts';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from '../../contract/wire.ts';

/** Whether a browser at `origin` may use this widget's API: its `allowedOrigins`, where `"*"` allows any. */
export function originAllowed(config: WidgetConfig, origin: string): boolean {
  return config.allowedOrigins.includes('*') || config.allowedOrigins.includes(origin);
}

/**
 * Echoes an allowed origin rather than answering `*`, and always varies on Origin, so a CDN in front of the
 * API never serves one site's CORS answer to another.
 */
export function applyCors(c: Context, config: WidgetConfig): void {
  c.header('Vary', 'Origin', { append: true });
  const origin = c.req.header('Origin');
  if (origin && originAllowed(config, origin)) {
    c.header('Access-Control-Allow-Origin', origin);
    c.header('Access-Control-Expose-Headers', `ETag, Retry-After, ${IDEMPOTENT_REPLAYED_HEADER}`);
  }
}

export const PREFLIGHT_HEADERS = {
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': `Content-Type, ${IDEMPOTENCY_KEY_HEADER}`,
  // Chromium caps this at 2 hours; 10 minutes keeps retries of the e-mail form free of extra round trips.
  'Access-Control-Max-Age': '600',
} as const;
