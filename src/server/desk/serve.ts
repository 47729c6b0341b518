import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono, type MiddlewareHandler } from 'hono';
import { resource, sendResource, type Resource } from '../http/compress.ts';
import type { AuthEnv } from '../http/auth.ts';
import { ApiError } from '../http/errors.ts';
import { etagOf } from '../http/etag.ts';
import type { ConfigSource } from '../config/source.ts';
import type { ChaportIntegration } from '../chaport/integration.ts';
import type { AppDatabase } from '../storage/open.ts';
import { listStaff } from '../staff/staff.ts';

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

// The entry is named exactly as its chunks import it (no query string): one URL, so one instance of each module.
const shell = (version: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Helpdesk</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/desk/assets/desk.css?v=${version}">
<script type="module" src="/desk/assets/desk.js"></script>
</head>
<body><div id="desk"><p class="loading">Loading the helpdesk…</p></div><noscript>The desk needs JavaScript.</noscript></body>
</html>`;

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json; charset=utf-8' };

/**
 * The agent desk at `/desk`: its HTML under a strict Content-Security-Policy (nothing inline, nothing from
 * elsewhere), its bundle from `dist/desk` — chunks named by their content are cached for good, the entry revalidated
 * by ETag — and `/v1/desk/config`, what any signed-in person needs to find their way.
 */
export function deskRoutes({ dir, config, version, auth, db, chaport }: { dir: string; config: ConfigSource; version: string; auth: MiddlewareHandler<AuthEnv>; db: AppDatabase; chaport?: ChaportIntegration | undefined }): Hono {
  const app = new Hono();
  const assets = new Map<string, Resource>();
  const asset = (name: string) => {
    let found = assets.get(name);
    if (!found) {
      const path = join(dir, name);
      const type = TYPES[name.slice(name.lastIndexOf('.'))];
      if (!type || !/^[\w.-]+$/.test(name) || !existsSync(path)) return null;
      const body = readFileSync(path);
      const beside = (suffix: string) => (existsSync(`${path}${suffix}`) ? readFileSync(`${path}${suffix}`) : undefined);
      const [br, gzip] = [beside('.br'), beside('.gz')];
      assets.set(name, (found = resource(body, etagOf(body.toString('utf8')), type, { ...(br ? { br } : {}), ...(gzip ? { gzip } : {}) })));
    }
    return found;
  };
  const page = resource(shell(version), etagOf(shell(version)), 'text/html; charset=utf-8');

  app.get('/desk', (c) => {
    if (!existsSync(join(dir, 'desk.js'))) throw new ApiError(404, 'not_found', 'The desk is not built: run `npm run build`');
    c.header('Content-Security-Policy', CSP);
    c.header('Cache-Control', 'no-cache');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'same-origin');
    return sendResource(c, page);
  });
  app.get('/desk/assets/:name', (c) => {
    const name = c.req.param('name');
    const found = asset(name);
    if (!found) throw new ApiError(404, 'not_found', `No desk asset ${name}`);
    // Chunks carry a content hash in their name: the same name is the same bytes, forever.
    c.header('Cache-Control', /-[\w-]{8}\.js$/.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache');
    c.header('X-Content-Type-Options', 'nosniff');
    return sendResource(c, found);
  });
  const desk = new Hono<AuthEnv>();
  desk.use('*', auth);
  desk.get('/config', async (c) => {
    const helpdesk = config.helpdesk();
    const principal = c.var.principal;
    return c.json({
      groups: helpdesk.settings.groups,
      panel: helpdesk.chaport?.settings.panel ?? 'integrations',
      chaportConnected: !!helpdesk.chaport,
      operator: principal.kind === 'staff' ? await operatorOf(principal.staff.id, principal.staff.chaport.operatorId) : null,
    });
  });

  /** Whose name the agent's replies carry in Chaport, and who else shares that operator (one Chaport licence). */
  async function operatorOf(staffId: string, operatorId: string | null): Promise<{ id: string; name: string | null; sharedWith: string[] } | null> {
    if (!operatorId) return null;
    const [operators, staff] = await Promise.all([chaport?.operators().catch(() => []) ?? [], db.read((q) => listStaff(q))]);
    return {
      id: operatorId,
      name: operators.find((operator) => operator.id === operatorId)?.name ?? null,
      sharedWith: staff.filter((member) => member.id !== staffId && !member.disabled && member.chaport.operatorId === operatorId).map((member) => member.name),
    };
  }
  app.route('/v1/desk', desk);
  return app;
}
