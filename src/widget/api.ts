import ky, { HTTPError, TimeoutError } from 'ky';
import * as v from 'valibot';
import { IDEMPOTENCY_KEY_HEADER, apiPaths } from '../contract/wire.ts';
import { channelSchema, widgetConfigSchema, type WidgetConfig } from '../contract/config.ts';
import { errorBodySchema, messageResponseSchema, presenceResponseSchema, type MessageRequest, type PresenceResponse } from '../contract/api.ts';
import { formatIssues } from '../contract/issues.ts';
import { ConfigError, MessageError } from './errors.ts';

export type SendOutcome =
  | { ok: true; id: string }
  | { ok: false; retryAfterMs?: number; reason: string }
  | { ok: false; rejected: MessageError };

export interface ApiClient {
  config(): Promise<{ config: WidgetConfig; dropped: string[] }>;
  presence(): Promise<PresenceResponse>;
  sendMessage(idempotencyKey: string, body: MessageRequest, signal?: AbortSignal): Promise<SendOutcome>;
  /** When an agent last answered this widget visitor (the helpdesk's own reply signal). */
  lastReplyAt(visitorId: string, signal: AbortSignal): Promise<string | null>;
}

const reasonOf = (error: unknown, timeout: number): string => {
  if (error instanceof HTTPError) return `HTTP ${error.response.status}`;
  if (error instanceof TimeoutError) return `no answer within ${timeout} ms`;
  return `network error (${(error as Error)?.message ?? String(error)})`;
};

/** The helpdesk API as the SDK sees it: ky with timeouts, retries for GETs, and nothing but typed results out. */
export function createApiClient({ apiUrl, widgetId, timeout, signal }: { apiUrl: string; widgetId: string; timeout: number; signal: AbortSignal }): ApiClient {
  const http = ky.create({
    timeout,
    signal,
    // The API never needs the visitor's cookies; omitting them keeps CORS simple and the visitor private.
    credentials: 'omit',
    retry: { limit: 2, methods: ['get'], statusCodes: [408, 429, 500, 502, 503, 504] },
  });
  const url = (path: string) => apiUrl + path;

  return {
    async config() {
      const configUrl = url(apiPaths.config(widgetId));
      let json: unknown;
      try {
        json = await http.get(configUrl).json();
      } catch (error) {
        if (error instanceof SyntaxError)
          throw new ConfigError('config_invalid', `The configuration of widget "${widgetId}" from ${configUrl} is not valid JSON`, configUrl, 200, { cause: error });
        const status = error instanceof HTTPError ? error.response.status : undefined;
        const detail = status === 404 ? ' (unknown widget)' : '';
        throw new ConfigError('config_unavailable', `Could not load the configuration of widget "${widgetId}" from ${configUrl}: ${reasonOf(error, timeout)}${detail}`, configUrl, status, {
          cause: error,
        });
      }
      return parseConfig(json, widgetId, configUrl);
    },

    async presence() {
      // `no-cache`: the browser revalidates with its cached ETag (If-None-Match, no CORS preflight) and a 304
      // costs the server no body; polls never reuse a stale answer.
      const result = v.safeParse(presenceResponseSchema, await http.get(url(apiPaths.presence(widgetId)), { cache: 'no-cache', retry: 0 }).json());
      if (!result.success) throw new TypeError(`Unexpected presence answer: ${formatIssues(result.issues)}`);
      return result.output;
    },

    async lastReplyAt(visitorId, requestSignal) {
      // Only compared with the previous answer: any change means a reply.
      return (await http.get(url(apiPaths.replies(widgetId, visitorId)), { cache: 'no-cache', retry: 0, signal: requestSignal }).json<{ lastReplyAt?: string | null }>())?.lastReplyAt ?? null;
    },

    async sendMessage(idempotencyKey, body, requestSignal) {
      let response: Response;
      try {
        response = await http.post(url(apiPaths.messages(widgetId)), {
          json: body,
          headers: { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey },
          throwHttpErrors: false,
          retry: 0,
          ...(requestSignal ? { signal: requestSignal } : {}),
        });
      } catch (error) {
        return { ok: false, reason: reasonOf(error, timeout) };
      }
      if (response.status === 201 || response.status === 200) {
        const parsed = v.safeParse(messageResponseSchema, await response.json().catch(() => null));
        // Stored either way: a 201 with an odd body is still a confirmation, never a reason to resend.
        return { ok: true, id: parsed.success ? parsed.output.id : '' };
      }
      const retryAfter = Number(response.headers.get('Retry-After'));
      if (response.status >= 500 || response.status === 408 || response.status === 429)
        return { ok: false, reason: `HTTP ${response.status}`, ...(retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}) };
      const error = v.safeParse(errorBodySchema, await response.json().catch(() => null));
      const detail = error.success ? error.output.error : { message: `HTTP ${response.status}`, field: undefined };
      return { ok: false, rejected: new MessageError(detail.message, response.status, detail.field) };
    },
  };
}

/**
 * Validates the configuration with the shared schema. A channel this SDK does not understand (say, a type added
 * to the server later) is dropped and reported rather than failing the whole widget; anything else invalid is fatal.
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
