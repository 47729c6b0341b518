import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { ApiError } from './errors.ts';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

const tooLarge = (maxBytes: number) => new ApiError(413, 'payload_too_large', `The body exceeds ${maxBytes} bytes`);

/**
 * The raw body, at most `maxBytes`: refused up front when Content-Length says more, and cut off as soon as a body
 * without one grows past it. Read straight from Node's request stream where there is one — a web ReadableStream per
 * request costs more CPU than the rest of a write.
 */
async function readBody(c: Context, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(c.req.header('Content-Length') ?? NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  try {
    if (!incoming) {
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
      return bytes;
    }
    return await new Promise<Uint8Array>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const stop = (outcome: () => void) => {
        incoming.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onError);
        outcome();
      };
      // Stop listening past the limit, but leave the socket alone: the 413 still has to reach the client.
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) stop(() => reject(tooLarge(maxBytes)));
        else chunks.push(chunk);
      };
      const onEnd = () => stop(() => resolve(Buffer.concat(chunks, size)));
      const onError = () => stop(() => reject(new Error('aborted')));
      incoming.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onError);
    });
  } catch (error) {
    if (error instanceof ApiError) throw error;
    // The client went away, or was cut off for sending too slowly.
    throw new ApiError(400, 'bad_request', 'The body was not received completely');
  }
}

/**
 * The request body as JSON, read strictly: JSON content type only (a cross-site HTML form — text/plain, no
 * preflight — can never write), at most `maxBytes`, and valid UTF-8 only: a body that is not would be changed by
 * decoding, so it is refused instead.
 */
export async function readJson(c: Context, maxBytes: number): Promise<unknown> {
  if (!/^application\/json\b/i.test(c.req.header('Content-Type') ?? '')) throw new ApiError(415, 'unsupported_media_type', 'Send the body as application/json');
  const bytes = await readBody(c, maxBytes);
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
