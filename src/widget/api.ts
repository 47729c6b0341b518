import ky, { HTTPError, TimeoutError, type KyInstance } from 'ky';
import type { PresenceResponse } from '../contract/api.ts';
import { apiPaths } from '../contract/wire.ts';
import { ConfigError } from './errors.ts';

export interface ApiClient {
  /** The configuration as the server sent it: JSON, not yet checked (see `config/`). */
  config(): Promise<unknown>;
  presence(): Promise<PresenceResponse>;
  /** When an agent last answered this widget visitor (the helpdesk's own reply signal). */
  lastReplyAt(visitorId: string, signal: AbortSignal): Promise<string | null>;
  /** The same ky instance and base, for the e-mail form's chunk (`email/send.ts`), which so carries no ky of its own. */
  readonly http: KyInstance;
  /** Why a request failed, said for people (ky's error classes are this chunk's: `instanceof` works only here). */
  reasonOf(error: unknown): string;
  readonly url: (path: string) => string;
  readonly widgetId: string;
  readonly timeout: number;
}

/** Why a request failed, said for people. */
export const reasonOf = (error: unknown, timeout: number): string => {
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
    http,
    reasonOf: (error) => reasonOf(error, timeout),
    url,
    widgetId,
    timeout,
    async config() {
      const configUrl = url(apiPaths.config(widgetId));
      try {
        return await http.get(configUrl).json();
      } catch (error) {
        if (error instanceof SyntaxError)
          throw new ConfigError('config_invalid', `The configuration of widget "${widgetId}" from ${configUrl} is not valid JSON`, configUrl, 200, { cause: error });
        const status = error instanceof HTTPError ? error.response.status : undefined;
        const detail = status === 404 ? ' (unknown widget)' : '';
        throw new ConfigError('config_unavailable', `Could not load the configuration of widget "${widgetId}" from ${configUrl}: ${reasonOf(error, timeout)}${detail}`, configUrl, status, {
          cause: error,
        });
      }
    },

    async presence() {
      // `no-cache`: the browser revalidates with its cached ETag (If-None-Match, no CORS preflight) and a 304
      // costs the server no body; polls never reuse a stale answer.
      const body = await http.get(url(apiPaths.presence(widgetId)), { cache: 'no-cache', retry: 0 }).json<Partial<PresenceResponse> | null>();
      // Only `channels[id].online` is read, and each value is checked where it is read (presence/poller.ts).
      if (!body || typeof body.channels !== 'object' || !body.channels) throw new TypeError('Unexpected presence answer: channels: must map channel ids to {"online": …}');
      return body as PresenceResponse;
    },

    async lastReplyAt(visitorId, requestSignal) {
      // Only compared with the previous answer: any change means a reply.
      return (await http.get(url(apiPaths.replies(widgetId, visitorId)), { cache: 'no-cache', retry: 0, signal: requestSignal }).json<{ lastReplyAt?: string | null }>())?.lastReplyAt ?? null;
    },
  };
}
