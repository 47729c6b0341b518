import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Context } from 'hono';
import { ifNoneMatchHits } from './etag.ts';

export type Encoding = 'br' | 'gzip';

/** Bodies smaller than this are sent as they are: compressing them costs more than it saves. */
const MIN_BYTES = 1024;

/** The best encoding the client accepts of those we make (brotli, then gzip), honouring `q=0`. */
export function negotiateEncoding(acceptEncoding: string | undefined): Encoding | null {
  if (!acceptEncoding) return null;
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((param) => /^\s*q=([\d.]+)/.exec(param)?.[1]).find(Boolean);
    accepted.set(name!, q === undefined ? 1 : Number(q));
  }
  const wants = (name: string) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  return wants('br') ? 'br' : wants('gzip') ? 'gzip' : null;
}

export function compressBody(body: Uint8Array | string, encoding: Encoding, level: 'static' | 'dynamic' = 'dynamic'): Buffer {
  return encoding === 'br'
    ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: level === 'static' ? 11 : 5 } })
    : gzipSync(body, { level: level === 'static' ? 9 : 6 });
}

/** A strong ETag describes exact bytes; a compressed body is the same resource in other bytes, so it gets a weak one. */
export const weakened = (etag: string) => (etag.startsWith('W/') ? etag : `W/${etag}`);

/**
 * A representation served many times (the configuration, the widget bundle): each encoding is made once, on first
 * demand — or given, precompressed at build — and every request after costs a lookup.
 */
export interface Resource {
  readonly etag: string;
  readonly contentType: string;
  body(encoding: Encoding | null): Uint8Array;
}

export function resource(content: string | Uint8Array, etag: string, contentType: string, precompressed: Partial<Record<Encoding, Uint8Array>> = {}): Resource {
  const identity = typeof content === 'string' ? Buffer.from(content) : content;
  const encoded: Partial<Record<Encoding, Uint8Array>> = { ...precompressed };
  return {
    etag,
    contentType,
    body(encoding) {
      if (!encoding || identity.byteLength < MIN_BYTES) return identity;
      return (encoded[encoding] ??= compressBody(identity, encoding));
    },
  };
}

/**
 * Sends a resource in the encoding the client prefers, with its ETag (weakened when encoded) and `Vary:
 * Accept-Encoding`; a matching If-None-Match gets a bodiless 304.
 */
export function sendResource(c: Context, item: Resource): Response {
  const accepted = negotiateEncoding(c.req.header('Accept-Encoding'));
  const body = item.body(accepted);
  const encoding = body === item.body(null) ? null : accepted;
  const etag = encoding ? weakened(item.etag) : item.etag;
  c.header('ETag', etag);
  c.header('Vary', 'Accept-Encoding', { append: true });
  if (ifNoneMatchHits(c.req.header('If-None-Match'), etag)) return c.body(null, 304);
  c.header('Content-Type', item.contentType);
  if (encoding) c.header('Content-Encoding', encoding);
  return c.body(body as Uint8Array<ArrayBuffer>, 200);
}
