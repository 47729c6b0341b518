import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Context } from 'hono';
import { resource, sendResource, type Resource } from './compress.ts';
import { ApiError } from './errors.ts';
import { etagOf } from './etag.ts';

/** A file of the widget's own: read once, with the `.br` and `.gz` the build writes beside it (else made here once). */
function loadScript(path: string): Resource {
  const plain = readFileSync(path);
  const beside = (suffix: string) => (existsSync(`${path}${suffix}`) ? readFileSync(`${path}${suffix}`) : undefined);
  const [br, gzip] = [beside('.br'), beside('.gz')];
  return resource(plain, etagOf(plain.toString('utf8')), path.endsWith('.map') ? 'application/json' : 'text/javascript; charset=utf-8', {
    ...(br ? { br } : {}),
    ...(gzip ? { gzip } : {}),
  });
}

/** Loadable by any page: a classic script needs CORP, a module (the chunks) needs CORS as well. */
function crossOrigin(c: Context, cacheControl: string): void {
  c.header('Cache-Control', cacheControl);
  c.header('Cross-Origin-Resource-Policy', 'cross-origin');
  c.header('Access-Control-Allow-Origin', '*');
  c.header('X-Content-Type-Options', 'nosniff');
}

/**
 * `GET /omniwidget.js`: the script tag's file, a small loader (see src/widget/script-tag.ts), in the encoding the
 * browser prefers, revalidated by ETag: a release reaches pages within minutes.
 */
export function serveWidgetScript(path: string) {
  let script: Resource | undefined;
  return (c: Context) => {
    if (!script) {
      try {
        script = loadScript(path);
      } catch {
        throw new ApiError(404, 'not_found', 'The widget bundle is not built: run `npm run build`');
      }
    }
    crossOrigin(c, 'public, max-age=300, stale-while-revalidate=86400');
    return sendResource(c, script);
  };
}

/** A chunk's file name as the build writes it: `core-<hash>.js`, `panel-<hash>.js`, their source maps. */
const CHUNK_FILE = /^[a-z]+-[\w-]{6,}\.js(?:\.map)?$/i;

/**
 * `GET /omniwidget/<chunk>`: the widget's modules beside the loader (#11). Their names carry a hash of their
 * content, so they are cached for good; anything but a chunk's name is a 404, never a path on disk.
 */
export function serveWidgetChunk(scriptPath: string) {
  const dir = join(dirname(scriptPath), 'omniwidget');
  const chunks = new Map<string, Resource>();
  return (c: Context) => {
    const name = c.req.param('file') ?? '';
    let chunk = chunks.get(name);
    if (!chunk) {
      if (!CHUNK_FILE.test(name)) throw new ApiError(404, 'not_found', `No widget chunk "${name}"`);
      try {
        chunk = loadScript(join(dir, name));
      } catch {
        throw new ApiError(404, 'not_found', `No widget chunk "${name}": was the widget rebuilt? Reload the page`);
      }
      chunks.set(name, chunk);
    }
    crossOrigin(c, 'public, max-age=31536000, immutable');
    return sendResource(c, chunk);
  };
}
