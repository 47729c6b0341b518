import { existsSync, readFileSync } from 'node:fs';
import type { Context } from 'hono';
import { resource, sendResource, type Resource } from './compress.ts';
import { ApiError } from './errors.ts';
import { etagOf } from './etag.ts';

/**
 * `GET /omniwidget.js`: the script-tag bundle, read once, in the encoding the browser prefers. The build writes
 * `omniwidget.js.br` and `.gz` at maximum compression beside it; without them they are made once here. Loadable
 * cross-origin (CORP), revalidated by ETag.
 */
export function serveWidgetScript(path: string) {
  let script: Resource | undefined;
  const load = () => {
    const plain = readFileSync(path);
    const beside = (suffix: string) => (existsSync(`${path}${suffix}`) ? readFileSync(`${path}${suffix}`) : undefined);
    const [br, gzip] = [beside('.br'), beside('.gz')];
    return resource(plain, etagOf(plain.toString('utf8')), 'text/javascript; charset=utf-8', { ...(br ? { br } : {}), ...(gzip ? { gzip } : {}) });
  };
  return (c: Context) => {
    if (!script) {
      try {
        script = load();
      } catch {
        throw new ApiError(404, 'not_found', 'The widget bundle is not built: run `npm run build`');
      }
    }
    c.header('Cache-Control', 'public, max-age=300, stale-while-revalidate=86400');
    c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    c.header('Access-Control-Allow-Origin', '*');
    c.header('X-Content-Type-Options', 'nosniff');
    return sendResource(c, script);
  };
}
