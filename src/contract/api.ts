import * as v from 'valibot';
import { httpUrlSchema } from './config.ts';

export { IDEMPOTENCY_KEY_HEADER, WIDGET_VISITOR_FIELD, apiPaths } from './wire.ts';

export const idempotencyKeySchema = v.pipe(v.string(), v.regex(/^[\x21-\x7e]{8,128}$/, 'must be 8–128 printable ASCII characters'));

export const MESSAGE_LIMITS = { name: 200, email: 254, message: 5000 } as const;

/**
 * Text the helpdesk can keep exactly as sent: no NUL (PostgreSQL cannot store it; C strings end at it) and no lone
 * UTF-16 surrogate (it has no UTF-8 form, so it would come back changed). Refused, never silently altered.
 */
const storable = v.check((value: string) => {
  if (value.includes('\0')) return false;
  try {
    encodeURIComponent(value); // throws URIError on a lone surrogate, in every engine
    return true;
  } catch {
    return false;
  }
}, 'must not contain NUL characters or unpaired surrogates');
const notBlank = v.check((value: string) => value.trim() !== '', 'is required');

/**
 * The e-mail form's body: `POST /v1/widgets/{id}/messages`. The SDK validates inline with this same schema.
 * Nothing is trimmed or normalized here: the server stores exactly what it accepts (the SDK trims the form first).
 */
export const messageRequestSchema = v.object({
  name: v.optional(v.pipe(v.string(), storable, v.maxLength(MESSAGE_LIMITS.name, `must be at most ${MESSAGE_LIMITS.name} characters`))),
  email: v.pipe(
    v.string('is required'),
    v.minLength(1, 'is required'),
    v.maxLength(MESSAGE_LIMITS.email, `must be at most ${MESSAGE_LIMITS.email} characters`),
    v.email('must be an e-mail address'),
  ),
  message: v.pipe(
    v.string('is required'),
    storable,
    notBlank,
    v.maxLength(MESSAGE_LIMITS.message, `must be at most ${MESSAGE_LIMITS.message} characters`),
  ),
  page: v.optional(v.pipe(httpUrlSchema, storable)),
});
export type MessageRequest = v.InferOutput<typeof messageRequestSchema>;
export type MessageField = keyof MessageRequest;

export const messageResponseSchema = v.object({ id: v.string() });
export type MessageResponse = v.InferOutput<typeof messageResponseSchema>;

/**
 * Presence of one channel. `online: null` means unknown (Chaport unreachable for too long):
 * the SDK then shows the chat, since Chaport's offline mode still takes a message.
 */
export interface ChannelPresence {
  online: boolean | null;
}
export const presenceResponseSchema = v.object({
  channels: v.custom<Record<string, ChannelPresence>>(
    (value) =>
      !!value && typeof value === 'object' && Object.values(value).every((presence) => [true, false, null].includes((presence as ChannelPresence | null)?.online as boolean)),
    'must map channel ids to {"online": true | false | null}',
  ),
  checkedAt: v.nullable(v.string()),
});
export type PresenceResponse = v.InferOutput<typeof presenceResponseSchema>;

export const ERROR_CODES = [
  'bad_request',
  'invalid_json',
  'invalid_body',
  'invalid_idempotency_key',
  'idempotency_key_reused',
  'not_found',
  'unauthorized',
  'forbidden',
  'conflict',
  'invalid_query',
  'method_not_allowed',
  'origin_not_allowed',
  'payload_too_large',
  'invalid_encoding',
  'unsupported_media_type',
  'rate_limited',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Every error the API returns: `{"error": {"code", "message", "field"?}}`. */
export const errorBodySchema = v.object({
  error: v.object({ code: v.string(), message: v.string(), field: v.optional(v.string()) }),
});
export type ErrorBody = { error: { code: ErrorCode; message: string; field?: string; issues?: { field: string; message: string }[] } };
