import * as v from 'valibot';
import { errorBodySchema, messageResponseSchema, type MessageRequest } from '../../contract/api.ts';
import { IDEMPOTENCY_KEY_HEADER, apiPaths } from '../../contract/wire.ts';
import type { ApiClient } from '../api.ts';
import { MessageError } from '../errors.ts';

export type SendOutcome =
  | { ok: true; id: string }
  | { ok: false; retryAfterMs?: number; reason: string }
  | { ok: false; rejected: MessageError };

/**
 * `POST /v1/widgets/{id}/messages` with its idempotency key: a confirmation, a transient failure to retry (with the
 * server's `Retry-After`), or a refusal that resending cannot fix.
 */
export function messageSender({ http, url, widgetId, reasonOf }: ApiClient) {
  return async function sendMessage(idempotencyKey: string, body: MessageRequest, signal?: AbortSignal): Promise<SendOutcome> {
    let response: Response;
    try {
      response = await http.post(url(apiPaths.messages(widgetId)), {
        json: body,
        headers: { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey },
        throwHttpErrors: false,
        retry: 0,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      return { ok: false, reason: reasonOf(error) };
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
  };
}
