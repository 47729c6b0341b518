import { existsSync, readFileSync } from 'node:fs';
import type { Context } from 'hono';
import { compressBody, negotiateEncoding, weakened, type Encoding } from './compress.ts';
import { ApiError } from './errors.ts';
import { etagOf, ifNoneMatchHits } from './etag.ts';

interface Variant {
  body: Uint8Array;
  etag: string;
}

/**
 * `GET /omniwidget.js`: the script-tag bundle, read once, in the encoding the browser prefers. The build writes
 * `omniwidget.js.br` and `.gz` at maximum compression beside it; without them they are made once here. Loadable
 * cross-origin (CORP), revalidated by ETag.
 */
export function serveWidgetScript(path: string) {
  let variants: Record<Encoding | 'identity', Variant> | undefined;
  const load = () => {
    const plain = readFileSync(path);
    const etag = etagOf(plain.toString('utf8'));
    const encoded = (encoding: Encoding): Variant => {
      const file = `${path}.${encoding === 'br' ? 'br' : 'gz'}`;
      const body = existsSync(file) ? readFileSync(file) : compressBody(plain, encoding, 'static');
      return { body, etag: weakened(etag) };
    };
    return { identity: { body: plain, etag }, br: encoded('br'), gzip: encoded('gzip') };
  };
  return (c: Context) => {
    if (!variants) {
      try {
        variants = load();
      } catch {
        throw new ApiError(404, 'not_found', 'The widget bundle is not built: run `npm run build`');
      }
    }
    const encoding = negotiateEncoding(c.req.header('Accept-Encoding'));
    const variant = variants[encoding ?? 'identity'];
    c.header('ETag', variant.etag);
    c.header('Vary', 'Accept-Encoding');
    c.header('Cache-Control', 'public, max-age=300, stale-while-revalidate=86400');
    c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    c.header('Access-Control-Allow-Origin', '*');
    c.header('X-Content-Type-Options', 'nosniff');
    if (ifNoneMatchHits(c.req.header('If-None-Match'), variant.etag)) return c.body(null, 304);
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    if (encoding) c.header('Content-Encoding', encoding);
    return c.body(variant.body as Uint8Array<ArrayBuffer>, 200);
  };
}
