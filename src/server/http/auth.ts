import type { MiddlewareHandler } from 'hono';
import { findToken, looksLikeToken, type TokenInfo } from '../staff/tokens.ts';
import type { AppDatabase } from '../storage/open.ts';
import { ApiError } from './errors.ts';

export type AuthEnv = { Variables: { token: TokenInfo } };

const CACHE_MS = 30_000;
const TOUCH_EVERY_MS = 60_000;

/**
 * Nothing of the agent API answers without credentials: `Authorization: Bearer owt_…` (an API token). A token is
 * looked up by its hash and remembered for 30 s, so a revoked one stops working within that; its last use is
 * recorded at most once a minute.
 */
export function requireToken(db: AppDatabase, now: () => number = Date.now): MiddlewareHandler<AuthEnv> {
  const cache = new Map<string, { info: TokenInfo; until: number }>();
  const touched = new Map<string, number>();
  return async (c, next) => {
    const token = /^Bearer\s+(\S+)$/i.exec(c.req.header('Authorization') ?? '')?.[1];
    const refuse = (message: string) => new ApiError(401, 'unauthorized', message, undefined, { 'WWW-Authenticate': 'Bearer' });
    if (!token) throw refuse('Sign in, or send an API token: Authorization: Bearer owt_…');
    if (!looksLikeToken(token)) throw refuse('That is not an API token');
    let found = cache.get(token);
    if (!found || found.until < now()) {
      const info = await db.read((q) => findToken(q, token));
      if (!info) {
        cache.delete(token);
        throw refuse('The API token is unknown or revoked');
      }
      cache.set(token, (found = { info, until: now() + CACHE_MS }));
      if (cache.size > 1000) cache.delete(cache.keys().next().value!);
    }
    if ((touched.get(found.info.id) ?? 0) + TOUCH_EVERY_MS < now()) {
      touched.set(found.info.id, now());
      void db.write('tokens.used', { id: found.info.id }).catch(() => {});
    }
    c.set('token', found.info);
    await next();
  };
}
