import type { WidgetConfig } from '../../contract/config.ts';
import { CHANNEL_TYPES } from '../../contract/wire.ts';

const HEX_COLOUR = /^#(?:[\da-f]{3}){1,2}$/i;
const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object';

/**
 * Whether a configuration is exactly as the helpdesk serves it: every default filled in by the server's own parse
 * of the shared schema, every channel of a type this SDK knows, a text table per language. Then the launcher shows
 * at once and the full schema — a chunk of its own, with the schema library — checks every value before the panel
 * opens (`parse.ts`, #11). Anything else (a server older or newer than this SDK, a proxy that changed the body)
 * goes through the full schema before anything is shown. A structural check, not a second schema: it decides only
 * which path a configuration takes.
 */
export function isServedConfig(json: unknown, widgetId: string): json is WidgetConfig {
  if (!isObject(json) || json.id !== widgetId) return false;
  const { theme, presence, texts, channels } = json;
  return (
    isObject(theme) &&
    HEX_COLOUR.test(String(theme.color)) &&
    (theme.position === 'left' || theme.position === 'right') &&
    isObject(presence) &&
    typeof presence.pollSeconds === 'number' &&
    typeof json.reopenOnReply === 'boolean' &&
    isObject(texts) &&
    isObject(texts.en) &&
    isObject(texts.ru) &&
    Array.isArray(channels) &&
    channels.length > 0 &&
    channels.every(
      (channel) =>
        isObject(channel) &&
        typeof channel.id === 'string' &&
        (CHANNEL_TYPES as readonly unknown[]).includes(channel.type) &&
        (channel.type !== 'chaport' || typeof channel.display === 'string'),
    )
  );
}
