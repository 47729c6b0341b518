import * as v from 'valibot';
import { channelSchema, widgetConfigSchema, type WidgetConfig } from '../../contract/config.ts';
import { formatIssues } from '../../contract/issues.ts';
import { ConfigError } from '../errors.ts';

/**
 * Validates the configuration with the shared schema. A channel this SDK does not understand (say, a type added
 * to the server later) is dropped and reported rather than failing the whole widget; anything else invalid is fatal.
 * In the panel's chunk: loaded before the panel first opens, or at once for a configuration that is not exactly
 * as the helpdesk serves it (`served.ts`).
 */
export function parseConfig(json: unknown, widgetId: string, configUrl: string): { config: WidgetConfig; dropped: string[] } {
  const dropped: string[] = [];
  let input = json;
  if (json && typeof json === 'object' && Array.isArray((json as { channels?: unknown }).channels)) {
    const channels = (json as { channels: unknown[] }).channels.filter((channel, index) => {
      const result = v.safeParse(channelSchema, channel);
      if (!result.success) dropped.push(formatIssues(result.issues, `channels[${index}]`));
      return result.success;
    });
    if (channels.length) input = { ...json, channels };
  }
  const result = v.safeParse(widgetConfigSchema, input);
  if (!result.success)
    throw new ConfigError('config_invalid', `The configuration of widget "${widgetId}" from ${configUrl} is invalid:\n${formatIssues(result.issues)}`, configUrl, 200);
  if (result.output.id !== widgetId)
    throw new ConfigError('config_invalid', `The configuration from ${configUrl} is for widget "${result.output.id}", not "${widgetId}"`, configUrl, 200);
  return { config: result.output, dropped };
}
