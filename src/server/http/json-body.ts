import type { Context } from 'hono';
import { ApiError } from './errors.ts';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The request body as JSON, read strictly: JSON content type only (a cross-site HTML form — text/plain, no
 * preflight — can never write), and valid UTF-8 only: a body that is not would be changed by decoding, so it is
 * refused instead.
 */
export async function readJson(c: Context): Promise<unknown> {
  if (!/^application\/json\b/i.test(c.req.header('Content-Type') ?? '')) throw new ApiError(415, 'unsupported_media_type', 'Send the body as application/json');
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await c.req.arrayBuffer());
  } catch (error) {
    if (error instanceof ApiError) throw error; // the body limit
    // The client went away, or was cut off for sending too slowly.
    throw new ApiError(400, 'bad_request', 'The body was not received completely');
  }
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw new ApiError(400, 'invalid_encoding', 'The body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid_json', 'The body is not valid JSON');
  }
}
