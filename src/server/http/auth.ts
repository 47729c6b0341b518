import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { findSession, hashSessionId, SESSION_COOKIE, type StaffMember } from '../staff/staff.ts';
import { findToken, looksLikeToken, type TokenInfo } from '../staff/tokens.ts';
import type { AppDatabase } from '../storage/open.ts';
import { ApiError } from './errors.ts';

/** Who is calling: a person signed in to the desk, or a machine with an API token (full API access, no desk). */
export type Principal = { kind: 'staff'; staff: StaffMember; sessionHash: string; csrf: string } | { kind: 'token'; token: TokenInfo };

export type AuthEnv = { Variables: { principal: Principal } };

const CACHE_MS = 30_000;
const TOUCH_EVERY_MS = 60_000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_HEADER = 'X-CSRF-Token';

/**
 * Nothing behind it answers without credentials: the desk's session cookie (`ow_session`, HttpOnly) or
 * `Authorization: Bearer owt_…`. A change made with a session also needs the session's CSRF token in
 * `X-CSRF-Token`, and an `Origin`, when sent, of this server: a page elsewhere cannot act with an agent's cookie.
 * Tokens are remembered for 30 s (a revoked one stops within that); sessions are read each time (signing out is
 * immediate) and their last use recorded at most once a minute.
 */
export function authenticate(db: AppDatabase, now: () => number = Date.now): MiddlewareHandler<AuthEnv> {
  const tokens = new Map<string, { info: TokenInfo; until: number }>();
  const touched = new Map<string, number>();
  const touch = (key: string, write: () => Promise<unknown>) => {
    if ((touched.get(key) ?? 0) + TOUCH_EVERY_MS > now()) return;
    touched.set(key, now());
    if (touched.size > 10_000) touched.clear();
    void write().catch(() => {});
  };
  const refuse = (message: string) => new ApiError(401, 'unauthorized', message, undefined, { 'WWW-Authenticate': 'Bearer' });

  return async (c, next) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('Authorization') ?? '')?.[1];
    if (bearer) {
      if (!looksLikeToken(bearer)) throw refuse('That is not an API token');
      let found = tokens.get(bearer);
      if (!found || found.until < now()) {
        const info = await db.read((q) => findToken(q, bearer));
        if (!info) {
          tokens.delete(bearer);
          throw refuse('The API token is unknown or revoked');
        }
        tokens.set(bearer, (found = { info, until: now() + CACHE_MS }));
        if (tokens.size > 1000) tokens.delete(tokens.keys().next().value!);
      }
      touch(found.info.id, () => db.write('tokens.used', { id: found.info.id }));
      c.set('principal', { kind: 'token', token: found.info });
      return next();
    }

    const cookie = getCookie(c, SESSION_COOKIE);
    if (!cookie) throw refuse('Sign in, or send an API token: Authorization: Bearer owt_…');
    const session = await db.read((q) => findSession(q, cookie, now()));
    if (!session) throw refuse('The session has ended: sign in again');
    const sessionHash = hashSessionId(cookie);
    if (!SAFE_METHODS.has(c.req.method)) checkCsrf(c, session.csrf);
    touch(sessionHash, () => db.write('sessions.seen', { idHash: sessionHash }));
    c.set('principal', { kind: 'staff', staff: session.staff, sessionHash, csrf: session.csrf });
    return next();
  };
}

function checkCsrf(c: Context, expected: string): void {
  const origin = c.req.header('Origin');
  if (origin && origin !== new URL(c.req.url).origin && origin !== forwardedOrigin(c))
    throw new ApiError(403, 'forbidden', `A change from ${origin} is not allowed with a session of this server`);
  if (c.req.header(CSRF_HEADER) !== expected) throw new ApiError(403, 'forbidden', `A change needs the session's ${CSRF_HEADER} header`, CSRF_HEADER);
}

/** The origin a browser saw behind a TLS-terminating proxy (X-Forwarded-Proto/Host), if the proxy said. */
function forwardedOrigin(c: Context): string | null {
  const proto = c.req.header('X-Forwarded-Proto');
  const host = c.req.header('X-Forwarded-Host') ?? c.req.header('Host');
  return proto && host ? `${proto.split(',')[0]!.trim()}://${host}` : null;
}

/** Admins only (the staff and settings routes): an agent gets 403, a machine token is accepted. */
export const requireAdmin: MiddlewareHandler<AuthEnv> = async (c, next) => {
  const principal = c.var.principal;
  if (principal.kind === 'staff' && principal.staff.role !== 'admin') throw new ApiError(403, 'forbidden', 'Only an admin may do this');
  await next();
};

/** A person signed in (the desk's own routes: status, replies as oneself). */
export function staffOf(c: Context<AuthEnv>): StaffMember {
  const principal = c.var.principal;
  if (principal.kind !== 'staff') throw new ApiError(403, 'forbidden', 'This needs a person signed in, not an API token');
  return principal.staff;
}
