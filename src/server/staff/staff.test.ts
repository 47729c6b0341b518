import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../../demo/stack.ts';
import { hashPassword, verifyPassword } from './staff.ts';
import { newToken } from './tokens.ts';

/**
 * Staff and sign-in over real HTTP: scrypt-hashed passwords, an HttpOnly session cookie, CSRF on every change,
 * sign-in throttling, roles — an agent cannot reach what is for admins — and visibility by group and channel.
 */

let stack: Stack;
const ADMIN = { email: 'admin@acme.example', password: 'correct horse battery' };
const AGENT = { email: 'agent@acme.example', password: 'agent password 123' };
const TARGET = { email: 'target@acme.example', password: 'target password 1' };

beforeAll(async () => {
  stack = await startStack({
    widgets: (origins) => ({
      widgets: [{ id: 'acme', allowedOrigins: [origins.site], channels: [{ id: 'mail', type: 'email' }] }],
      helpdesk: {
        groups: [{ id: 'general', name: 'General' }, { id: 'billing', name: 'Billing' }],
        automation: [{ id: 'billing', name: 'Billing words', on: 'message.created', conditions: [{ field: 'messageText', op: 'contains', value: 'billing' }], actions: [{ type: 'setGroup', group: 'billing' }] }],
      },
    }),
    limits: false,
    trustProxy: true,
  });
  const staff = (email: string, password: string, role: 'admin' | 'agent', groups: string[], channels: ('online_chat' | 'email')[]) =>
    hashPassword(password).then((passwordHash) =>
      stack.db.write('staff.create', { email, name: email.split('@')[0]!, role, groups, channels, passwordHash, chaport: { mapping: 'none', operatorId: null } }),
    );
  await staff(ADMIN.email, ADMIN.password, 'admin', [], ['online_chat', 'email']);
  await staff(AGENT.email, AGENT.password, 'agent', ['billing'], ['email']);
  await staff(TARGET.email, TARGET.password, 'agent', [], ['email']);
}, 30_000);
afterAll(() => stack?.close());

interface Session {
  cookie: string;
  csrf: string;
  setCookie: string;
}

async function signIn(email: string, password: string, ip = '10.0.0.1'): Promise<Response> {
  return fetch(`${stack.api}/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': ip }, body: JSON.stringify({ email, password }) });
}
async function session(email: string, password: string): Promise<Session> {
  const response = await signIn(email, password);
  expect(response.status).toBe(201);
  const setCookie = response.headers.get('set-cookie')!;
  return { cookie: setCookie.split(';')[0]!, csrf: (await response.json()).csrfToken, setCookie };
}
const as = (who: Session, path: string, init: RequestInit = {}) =>
  fetch(`${stack.api}${path}`, { ...init, headers: { Cookie: who.cookie, 'Content-Type': 'application/json', ...init.headers } });

describe('passwords', () => {
  it('are hashed with scrypt and a salt of their own, and verified in constant time', async () => {
    const [a, b] = [await hashPassword('same password'), await hashPassword('same password')];
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password', a)).toBe(true);
    expect(await verifyPassword('same passwore', a)).toBe(false);
    expect(await verifyPassword('anything', null)).toBe(false);
  });
});

describe('signing in', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie (not Secure over plain HTTP on this machine) and keeps only its hash', async () => {
    const admin = await session(ADMIN.email, ADMIN.password);
    expect(admin.setCookie).toMatch(/^ow_session=[\w-]{43}; Max-Age=1209600; Path=\/; HttpOnly; SameSite=Lax$/);
    const me = await (await as(admin, '/v1/session')).json();
    expect(me).toMatchObject({ staff: { email: ADMIN.email, role: 'admin', hasPassword: true }, csrfToken: admin.csrf });
    expect(JSON.stringify(me)).not.toMatch(/scrypt|password_hash/);
    const rows = await stack.db.read((q) => q.all<{ id_hash: string }>('SELECT id_hash FROM sessions'));
    expect(rows.map((row) => row.id_hash)).not.toContain(admin.cookie.split('=')[1]);
  });

  it('refuses a wrong password without saying which part was wrong, and throttles an account after 5 failures', async () => {
    const wrong = await signIn(TARGET.email, 'not the password', '10.0.0.2');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: { code: 'unauthorized', message: 'Wrong e-mail or password' } });
    expect(await (await signIn('nobody@acme.example', 'whatever pass', '10.0.0.2')).json()).toEqual({ error: { code: 'unauthorized', message: 'Wrong e-mail or password' } });
    for (let i = 0; i < 4; i++) await signIn(TARGET.email, 'still wrong', `10.0.1.${i}`);
    // Five failures for the account, from five addresses: now even the right password waits.
    const throttled = await signIn(TARGET.email, TARGET.password, '10.0.2.1');
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('throttles an address that tries many accounts', async () => {
    for (let i = 0; i < 20; i++) await signIn(`guess${i}@acme.example`, 'guessing pass', '10.0.9.9');
    expect((await signIn(ADMIN.email, ADMIN.password, '10.0.9.9')).status).toBe(429);
    expect((await signIn(ADMIN.email, ADMIN.password, '10.0.9.10')).status).toBe(201);
  });

  it('ends the session at once on signing out', async () => {
    const admin = await session(ADMIN.email, ADMIN.password);
    expect((await as(admin, '/v1/session', { method: 'DELETE', headers: { 'X-CSRF-Token': admin.csrf } })).status).toBe(204);
    expect((await as(admin, '/v1/session')).status).toBe(401);
    expect((await as(admin, '/v1/conversations')).status).toBe(401);
  });
});

describe('CSRF and roles', () => {
  it('needs the CSRF token, and a same-origin Origin, for every change made with a session', async () => {
    const admin = await session(ADMIN.email, ADMIN.password);
    const body = JSON.stringify({ status: 'online' });
    const missing = await as(admin, '/v1/session/status', { method: 'PUT', body });
    expect(missing.status).toBe(403);
    expect((await missing.json()).error).toMatchObject({ code: 'forbidden', field: 'X-CSRF-Token' });
    expect((await as(admin, '/v1/session/status', { method: 'PUT', body, headers: { 'X-CSRF-Token': 'forged' } })).status).toBe(403);
    expect((await as(admin, '/v1/session/status', { method: 'PUT', body, headers: { 'X-CSRF-Token': admin.csrf, Origin: 'https://evil.example' } })).status).toBe(403);
    const ok = await as(admin, '/v1/session/status', { method: 'PUT', body, headers: { 'X-CSRF-Token': admin.csrf, Origin: stack.api } });
    expect(ok.status).toBe(200);
    expect((await ok.json()).status).toBe('online');
  });

  it('keeps admin routes from agents, and answers nothing without a session or token', async () => {
    const agent = await session(AGENT.email, AGENT.password);
    const admin = await session(ADMIN.email, ADMIN.password);
    for (const path of ['/v1/staff', '/v1/jobs', '/v1/webhooks/deliveries', '/v1/integrations/chaport']) {
      expect((await as(agent, path)).status, path).toBe(403);
      expect((await as(admin, path)).status, path).toBe(200);
      expect((await fetch(`${stack.api}${path}`)).status, path).toBe(401);
    }
    const create = await as(agent, '/v1/staff', { method: 'POST', headers: { 'X-CSRF-Token': agent.csrf }, body: JSON.stringify({ email: 'x@acme.example', name: 'X', role: 'admin' }) });
    expect(create.status).toBe(403);
    for (const path of ['/v1/conversations', '/v1/events']) expect((await fetch(`${stack.api}${path}`)).status, path).toBe(401);
    // Asking who is signed in is not an error: nobody.
    expect(await (await fetch(`${stack.api}/v1/session`)).json()).toEqual({ staff: null });
  });

  it('lets an admin add staff (a generated password shown once), and refuses duplicates and bad fields by name', async () => {
    const admin = await session(ADMIN.email, ADMIN.password);
    const post = (body: unknown) => as(admin, '/v1/staff', { method: 'POST', headers: { 'X-CSRF-Token': admin.csrf }, body: JSON.stringify(body) });
    const created = await post({ email: 'New.Agent@Acme.example', name: 'New Agent', role: 'agent', groups: ['general'] });
    expect(created.status).toBe(201);
    const { staff, password } = await created.json();
    expect(staff).toMatchObject({ email: 'new.agent@acme.example', role: 'agent', channels: ['online_chat', 'email'], chaport: { mapping: 'create', operatorId: null } });
    expect(password).toMatch(/^[\w-]{16}$/);
    expect((await signIn('new.agent@acme.example', password, '10.0.5.5')).status).toBe(201);
    expect((await post({ email: 'new.agent@acme.example', name: 'Again', role: 'agent' })).status).toBe(409);
    expect(await (await post({ email: 'bad', name: 'X', role: 'agent' })).json()).toEqual({ error: { code: 'invalid_body', message: 'email: must be an e-mail address', field: 'email' } });
    expect((await (await post({ email: 'p@acme.example', name: 'P', role: 'agent', password: 'short' })).json()).error.field).toBe('password');
  });

  it('will not demote or disable the last admin', async () => {
    const admin = await session(ADMIN.email, ADMIN.password);
    const me = (await (await as(admin, '/v1/session')).json()).staff;
    const demote = await as(admin, `/v1/staff/${me.id}`, { method: 'PATCH', headers: { 'X-CSRF-Token': admin.csrf }, body: JSON.stringify({ role: 'agent' }) });
    expect(demote.status).toBe(409);
    expect((await demote.json()).error.message).toBe('The last admin cannot stop being one');
  });
});

describe('visibility', () => {
  it('shows an agent only the conversations of their channels and groups; a token sees all', async () => {
    for (const [key, message] of [['vis-key-0001', 'for billing?'], ['vis-key-0002', 'general question']] as const)
      await fetch(`${stack.api}/v1/widgets/acme/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: stack.site, 'Idempotency-Key': key }, body: JSON.stringify({ email: 'v@example.com', message }) });
    // A rule moves the first to billing.
    const all = await stack.db.read((q) => q.all<{ id: string; group_id: string }>('SELECT id, group_id FROM conversations ORDER BY number'));
    expect(all.map((row) => row.group_id)).toEqual(['billing', 'general']);
    const agent = await session(AGENT.email, AGENT.password);
    const seen = (await (await as(agent, '/v1/conversations')).json()).conversations.map((item: { id: string }) => item.id);
    expect(seen).toEqual([all[0]!.id]);
    expect((await as(agent, `/v1/conversations/${all[1]!.id}`)).status).toBe(404);
    const created = newToken();
    await stack.db.write('tokens.create', { id: created.id, name: 'visibility', hash: created.hash });
    const byToken = await (await fetch(`${stack.api}/v1/conversations`, { headers: { Authorization: `Bearer ${created.token}` } })).json();
    expect(byToken.conversations).toHaveLength(2);
  });
});
