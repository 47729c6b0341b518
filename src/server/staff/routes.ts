import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import * as v from 'valibot';
import { CHANNELS } from '../../contract/helpdesk.ts';
import { formatIssues, issuePath } from '../../contract/issues.ts';
import type { ConfigSource } from '../config/source.ts';
import { authenticate, requireAdmin, staffOf, type AuthEnv } from '../http/auth.ts';
import { clientIp } from '../http/client-ip.ts';
import { ApiError } from '../http/errors.ts';
import { readJson } from '../http/json-body.ts';
import type { RateLimiter } from '../http/rate-limit.ts';
import { CommandError } from '../storage/database.ts';
import type { AppDatabase } from '../storage/open.ts';
import {
  PASSWORD_RULE,
  SESSION_COOKIE,
  SESSION_MAX_MS,
  findStaffByEmail,
  generatePassword,
  getStaff,
  hashPassword,
  hashSessionId,
  listStaff,
  passwordAcceptable,
  staffView,
  verifyPassword,
  type StaffMember,
} from './staff.ts';

/** Failed sign-ins allowed per address and per account in 15 minutes; then 429 with Retry-After. */
const LOGIN_WINDOW_MS = 15 * 60_000;
const LOGIN_FAILURES = { ip: 20, account: 5 };

const email = v.pipe(v.string('is required'), v.trim(), v.toLowerCase(), v.email('must be an e-mail address'), v.maxLength(254, 'must be at most 254 characters'));
const loginSchema = v.object({ email, password: v.string('is required') });
const password = v.custom<string>(passwordAcceptable, PASSWORD_RULE);
const mapping = v.object({ mapping: v.picklist(['operator', 'create', 'none'], 'must be "operator", "create" or "none"'), operatorId: v.nullable(v.pipe(v.string(), v.minLength(1), v.maxLength(100))) });
const staffFields = {
  name: v.pipe(v.string('is required'), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(100, 'must be at most 100 characters')),
  role: v.picklist(['admin', 'agent'], 'must be "admin" or "agent"'),
  groups: v.array(v.pipe(v.string(), v.maxLength(64))),
  channels: v.array(v.picklist(CHANNELS, 'must be "online_chat" or "email"')),
  chaport: mapping,
};
const createStaffSchema = v.object({
  email,
  ...staffFields,
  groups: v.optional(staffFields.groups, []),
  channels: v.optional(staffFields.channels, [...CHANNELS]),
  chaport: v.optional(mapping),
  password: v.optional(password),
});
const updateStaffSchema = v.object({
  name: v.optional(staffFields.name),
  role: v.optional(staffFields.role),
  groups: v.optional(staffFields.groups),
  channels: v.optional(staffFields.channels),
  chaport: v.optional(mapping),
  password: v.optional(password),
  disabled: v.optional(v.boolean('must be true or false')),
});
const statusSchema = v.object({ status: v.picklist(['online', 'away'], 'must be "online" or "away"') });

const invalid = (issues: [v.BaseIssue<unknown>, ...v.BaseIssue<unknown>[]]) => new ApiError(400, 'invalid_body', formatIssues(issues).replaceAll('\n', '; '), issuePath(issues[0]) || undefined);
const parse = async <S extends v.GenericSchema>(c: Context, schema: S): Promise<v.InferOutput<S>> => {
  const result = v.safeParse(schema, await readJson(c, 16 * 1024));
  if (!result.success) throw invalid(result.issues);
  return result.output;
};

/** The cookie is `Secure` whenever the browser came over HTTPS (directly, or through a proxy that says so). */
const secure = (c: Context, trustProxy: boolean) => new URL(c.req.url).protocol === 'https:' || (trustProxy && c.req.header('X-Forwarded-Proto')?.split(',')[0]?.trim() === 'https');

/** The policy for staff added later, from the integration's settings: the mapping a new person starts with. */
function defaultMapping(config: ConfigSource): StaffMember['chaport'] {
  const policy = config.helpdesk().chaport?.settings.newStaff;
  if (!policy || policy.mapping === 'create') return { mapping: 'create', operatorId: null };
  return policy.mapping === 'operator' ? { mapping: 'operator', operatorId: policy.operatorId } : { mapping: 'none', operatorId: null };
}

/**
 * `/v1/session` (sign in, who am I, sign out, my status) and `/v1/staff` (admins: the people of the helpdesk and how
 * each maps to a Chaport operator).
 */
export function staffRoutes({ db, config, limiter, trustProxy, now = Date.now }: { db: AppDatabase; config: ConfigSource; limiter: RateLimiter; trustProxy: boolean; now?: () => number }) {
  const session = new Hono<AuthEnv>();
  const auth = authenticate(db, now);

  session.post('/', async (c) => {
    const { email: address, password: given } = await parse(c, loginSchema);
    const buckets = [`login:ip:${clientIp(c, trustProxy)}`, `login:account:${address}`] as const;
    const limits = [LOGIN_FAILURES.ip, LOGIN_FAILURES.account];
    for (const [index, bucket] of buckets.entries()) {
      const { hits, resetAt } = await limiter.peek(bucket, LOGIN_WINDOW_MS);
      if (hits >= limits[index]!) {
        const retry = Math.max(1, Math.ceil((resetAt - now()) / 1000));
        throw new ApiError(429, 'rate_limited', `Too many failed sign-ins; try again in ${retry} s`, undefined, { 'Retry-After': String(retry) });
      }
    }
    const row = await db.read((q) => findStaffByEmail(q, address));
    // Verified even when there is no such person, so the time taken tells nothing.
    const ok = (await verifyPassword(given, row?.password_hash ?? null)) && !!row && row.disabled_at === null;
    if (!ok) {
      for (const bucket of buckets) await limiter.hit(bucket, LOGIN_WINDOW_MS);
      throw new ApiError(401, 'unauthorized', 'Wrong e-mail or password');
    }
    const id = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    await db.write('sessions.create', { idHash: hashSessionId(id), staffId: row.id, csrf });
    setCookie(c, SESSION_COOKIE, id, { httpOnly: true, secure: secure(c, trustProxy), sameSite: 'Lax', path: '/', maxAge: SESSION_MAX_MS / 1000 });
    c.header('Cache-Control', 'no-store');
    return c.json({ staff: staffView(row), csrfToken: csrf }, 201);
  });
  // Who am I: `{"staff": null}` when nobody is signed in — asking is not an error (the desk asks before signing in).
  session.get('/', async (c, next) => {
    if (!c.req.header('Authorization') && !getCookie(c, SESSION_COOKIE)) return c.json({ staff: null }, 200, { 'Cache-Control': 'no-store' });
    return auth(c, next);
  }, (c) => {
    const principal = c.var.principal;
    c.header('Cache-Control', 'no-store');
    if (principal.kind !== 'staff') return c.json({ staff: null, token: principal.token.name });
    return c.json({ staff: principal.staff, csrfToken: principal.csrf });
  });
  session.delete('/', auth, async (c) => {
    const principal = c.var.principal;
    if (principal.kind === 'staff') await db.write('sessions.end', { idHash: principal.sessionHash });
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: secure(c, trustProxy) });
    return c.body(null, 204);
  });
  session.put('/status', auth, async (c) => {
    const me = staffOf(c);
    const { status } = await parse(c, statusSchema);
    const updated = await db.write('staff.update', { id: me.id, changes: { status } });
    // Optional: the desk's status drives the mapped Chaport operator's, so "hide when offline" follows the desk.
    if (config.helpdesk().chaport?.settings.syncAgentStatus) await db.write('jobs.enqueue', { kind: 'chaport.operatorStatus', payload: { staffId: me.id }, options: { maxAttempts: 5 } });
    return c.json(updated);
  });

  const staff = new Hono<AuthEnv>();
  staff.use('*', auth, requireAdmin);
  staff.get('/', async (c) => c.json({ staff: await db.read((q) => listStaff(q)) }));
  staff.post('/', async (c) => {
    const input = await parse(c, createStaffSchema);
    const given = input.password ?? generatePassword();
    try {
      const created = await db.write('staff.create', {
        email: input.email,
        name: input.name,
        role: input.role,
        groups: input.groups,
        channels: input.channels,
        passwordHash: await hashPassword(given),
        chaport: input.chaport ?? defaultMapping(config),
      });
      // A generated password is shown once, to the admin who can pass it on; a chosen one is never echoed.
      return c.json({ staff: created, ...(input.password ? {} : { password: given }) }, 201);
    } catch (error) {
      if (error instanceof CommandError && error.code === 'conflict') throw new ApiError(409, 'conflict', error.message, 'email');
      throw error;
    }
  });
  staff.patch('/:id', async (c) => {
    const input = await parse(c, updateStaffSchema);
    try {
      const { password: given, ...rest } = input;
      return c.json(await db.write('staff.update', { id: c.req.param('id'), changes: { ...rest, ...(given ? { passwordHash: await hashPassword(given) } : {}) } }));
    } catch (error) {
      if (error instanceof CommandError && error.code === 'not_found') throw new ApiError(404, 'not_found', error.message);
      if (error instanceof CommandError && error.code === 'conflict') throw new ApiError(409, 'conflict', error.message, String(error.details.field ?? ''));
      throw error;
    }
  });
  staff.get('/:id', async (c) => {
    const found = await db.read((q) => getStaff(q, c.req.param('id')));
    if (!found) throw new ApiError(404, 'not_found', `No staff member ${c.req.param('id')}`);
    return c.json(found);
  });

  return { session, staff, auth };
}
