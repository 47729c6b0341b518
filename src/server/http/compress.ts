import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { MiddlewareHandler } from 'hono';

export type Encoding = 'br' | 'gzip';

/** Bodies smaller than this are sent as they are: compressing them costs more than it saves. */
const MIN_BYTES = 1024;
const COMPRESSIBLE = /^(text\/(?!event-stream)|application\/(json|javascript|problem\+json)|image\/svg)/i;

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
 * Compresses text responses of 1 KB and more (JSON, HTML, JS, CSS) with brotli or gzip, as the client accepts.
 * Responses already encoded (the precompressed widget bundle) and event streams pass through untouched.
 */
export function compress(): MiddlewareHandler {
  // A response with a strong ETag is the same bytes every time (the configuration): compress it once.
  const cache = new Map<string, Buffer>();
  const compressOnce = (body: Uint8Array, encoding: Encoding, etag: string | null) => {
    if (!etag || etag.startsWith('W/')) return compressBody(body, encoding);
    const key = `${encoding} ${etag}`;
    let compressed = cache.get(key);
    if (!compressed) {
      if (cache.size >= 256) cache.delete(cache.keys().next().value!);
      cache.set(key, (compressed = compressBody(body, encoding)));
    }
    return compressed;
  };
  return async (c, next) => {
    await next();
    c.header('Vary', 'Accept-Encoding', { append: true });
    // Read after c.header(): Hono replaces a finalized response object when a header is set on it.
    const response = c.res;
    if (!response.body || response.headers.has('Content-Encoding') || c.req.method === 'HEAD') return;
    if (!COMPRESSIBLE.test(response.headers.get('Content-Type') ?? '')) return;
    const encoding = negotiateEncoding(c.req.header('Accept-Encoding'));
    if (!encoding) return;
    const body = new Uint8Array(await response.arrayBuffer());
    // Hono copies the old response's headers onto a new one: change them there, then swap the body.
    const etag = response.headers.get('ETag');
    if (body.byteLength >= MIN_BYTES) {
      if (etag) response.headers.set('ETag', weakened(etag));
      response.headers.set('Content-Encoding', encoding);
      response.headers.delete('Content-Length');
    }
    c.res = new Response((body.byteLength >= MIN_BYTES ? compressOnce(body, encoding, etag) : body) as Uint8Array<ArrayBuffer>, response);
  };
}
