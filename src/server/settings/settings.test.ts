import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../../demo/stack.ts';
import { hashPassword } from '../staff/staff.ts';
import { changedPaths } from './changes.ts';

/**
 * The settings over real HTTP: the configuration kept as versions, saved from the browser (validated by the same
 * schemas, every problem at its field), in force at once without a restart, with its history and rollback, exported
 * and imported in the file's format, the file still first-class — and the live preview.
 */

let stack: Stack;
const ADMIN = { email: 'owner@acme.example', password: 'owner password 1' };
const AGENT = { email: 'helper@acme.example', password: 'helper password 1' };
type Session = { cookie: string; csrf: string };
let admin: Session;
let agent: Session;

const mail = { id: 'mail', type: 'email' };
const tg = { id: 'tg', type: 'telegram', username: 'acme_support' };

beforeAll(async () => {
  stack = await startStack({
    widgets: (origins) => ({ widgets: [{ id: 'acme', allowedOrigins: [origins.site], channels: [tg, mail] }], helpdesk: { groups: [{ id: 'general', name: 'General' }] } }),
    env: { SETTINGS_TEST_TOKEN: 'a-token' },
    limits: false,
  });
  for (const [who, role] of [
    [ADMIN, 'admin'],
    [AGENT, 'agent'],
  ] as const)
    await stack.db.write('staff.create', { email: who.email, name: who.email.split('@')[0]!, role, groups: [], channels: ['email'], passwordHash: await hashPassword(who.password), chaport: { mapping: 'none', operatorId: null } });
  admin = await signIn(ADMIN);
  agent = await signIn(AGENT);
}, 30_000);
afterAll(() => stack?.close());

async function signIn({ email, password }: { email: string; password: string }): Promise<Session> {
  const response = await fetch(`${stack.api}/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });
  expect(response.status).toBe(201);
  return { cookie: response.headers.get('set-cookie')!.split(';')[0]!, csrf: ((await response.json()) as { csrfToken: string }).csrfToken };
}
const as = (who: Session, path: string, init: RequestInit = {}) =>
  fetch(`${stack.api}${path}`, { ...init, headers: { Cookie: who.cookie, 'X-CSRF-Token': who.csrf, 'Content-Type': 'application/json', ...init.headers } });
const json = async <T = any>(response: Response | Promise<Response>): Promise<T> => (await response).json() as Promise<T>;
const current = () => json<{ version: number; document: any; file: string | null; secrets: { name: string; set: boolean }[] }>(as(admin, '/v1/settings'));
const save = (document: unknown, baseVersion: number | null) => as(admin, '/v1/settings', { method: 'PUT', body: JSON.stringify({ document, baseVersion }) });
const publicConfig = () => fetch(`${stack.api}/v1/widgets/acme/config`, { headers: { Origin: stack.site } });

describe('the settings', () => {
  it('are for admins: an agent gets 403, nobody 401', async () => {
    expect((await as(agent, '/v1/settings')).status).toBe(403);
    expect((await fetch(`${stack.api}/v1/settings`)).status).toBe(401);
    expect((await as(agent, '/v1/settings', { method: 'PUT', body: '{}' })).status).toBe(403);
  });

  it('start from the configuration file, imported as the first version', async () => {
    const settings = await current();
    expect(settings.file).toBe(stack.configPath);
    expect(settings.document).toEqual(JSON.parse(readFileSync(stack.configPath, 'utf8')));
    const { versions } = await json(as(admin, '/v1/settings/versions'));
    expect(versions.at(-1)).toMatchObject({ version: 1, source: 'file', author: `file ${stack.configPath}` });
  });

  it('saved from the browser are in force at once: the public configuration and its ETag change, no restart', async () => {
    const before = await publicConfig();
    const { version, document } = await current();
    document.widgets[0].theme = { color: '#d1242f', position: 'left' };
    document.widgets[0].channels.reverse();
    const saved = await save(document, version);
    expect(saved.status).toBe(200);
    expect((await json(saved)).version).toBe(version + 1);
    const after = await publicConfig();
    expect(after.headers.get('ETag')).not.toBe(before.headers.get('ETag'));
    const config = await after.json();
    expect(config.theme).toEqual({ color: '#d1242f', position: 'left', textColor: '#fff' });
    expect(config.channels.map((channel: { id: string }) => channel.id)).toEqual(['mail', 'tg']);
    const { versions } = await json(as(admin, '/v1/settings/versions'));
    expect(versions[0]).toMatchObject({ version: version + 1, source: 'browser', author: `owner <${ADMIN.email}>`, changes: ['widgets[acme].channels (order)', 'widgets[acme].theme'] });
  });

  it('refuse a bad document with every problem at its field, and save nothing', async () => {
    const { version, document } = await current();
    document.widgets[0].channels.push({ id: 'wa', type: 'whatsapp', phone: '12' }, { id: 'vk', type: 'vk', grup: 'acme' });
    document.widgets[0].presence = { pollSeconds: 1 };
    const response = await save(document, version);
    expect(response.status).toBe(400);
    const { error } = await json(response);
    expect(error.code).toBe('invalid_body');
    expect(error.issues.map((issue: { field: string }) => issue.field)).toEqual(
      expect.arrayContaining(['widgets[0].presence.pollSeconds', 'widgets[0].channels[2].phone', 'widgets[0].channels[3].grup']),
    );
    expect(error.field).toBe(error.issues[0].field);
    expect((await current()).version).toBe(version);
  });

  it('refuse "hide when offline" without the Chaport token in the environment, naming the field and the variable', async () => {
    const { version, document } = await current();
    const chat = { id: 'chat', type: 'chaport', appId: 'ab'.repeat(12), display: 'hideWhenOffline', apiTokenEnv: 'MISSING_TOKEN' };
    document.widgets[0].channels.push(chat);
    const { error } = await json(save(document, version));
    expect(error.issues).toEqual([{ field: 'widgets[0].channels[2].display', message: '"hideWhenOffline" needs a Chaport API token in the environment variable MISSING_TOKEN' }]);
    // With a token this server has, it saves; the page learns which secrets are set (never their values).
    document.widgets[0].channels[2] = { ...chat, apiTokenEnv: 'SETTINGS_TEST_TOKEN' };
    const saved = await json(save(document, version));
    expect(saved.secrets).toEqual([{ name: 'SETTINGS_TEST_TOKEN', set: true }]);
    expect(JSON.stringify(await current())).not.toContain('a-token');
  });

  it('refuse a save based on an older version (two admins at once), saving nothing', async () => {
    const { version, document } = await current();
    const response = await save({ ...document, widgets: [] }, version - 1);
    expect(response.status).toBe(409);
    expect((await json(response)).error.message).toMatch(/changed since you opened them/);
    expect((await current()).version).toBe(version);
  });

  it('roll back to any earlier version, as a new version', async () => {
    const { version } = await current();
    const restored = await as(admin, '/v1/settings/versions/1/restore', { method: 'POST', body: JSON.stringify({ baseVersion: version }) });
    expect(restored.status).toBe(201);
    expect((await json(restored)).version).toBe(version + 1);
    expect((await current()).document).toEqual((await json(as(admin, '/v1/settings/versions/1'))).document);
    expect((await (await publicConfig()).json()).theme.color).toBe('#1f6feb');
    const { versions } = await json(as(admin, '/v1/settings/versions'));
    expect(versions[0]).toMatchObject({ source: 'rollback', note: 'Rolled back to version 1' });
    expect((await as(admin, '/v1/settings/versions/999/restore', { method: 'POST', body: JSON.stringify({ baseVersion: version + 1 }) })).status).toBe(404);
  });

  it('export in the file format and import it back', async () => {
    const exported = await as(admin, '/v1/settings/export');
    expect(exported.headers.get('Content-Disposition')).toMatch(/^attachment; filename="omniwidget-settings-v\d+\.json"$/);
    const document = await exported.json();
    expect(document).toEqual((await current()).document);
    document.widgets[0].locale = 'ru';
    const { version } = await current();
    const imported = await as(admin, '/v1/settings/import', { method: 'POST', body: JSON.stringify({ document, baseVersion: version }) });
    expect(imported.status).toBe(201);
    expect((await (await publicConfig()).json()).locale).toBe('ru');
    expect((await json(as(admin, '/v1/settings/versions'))).versions[0]).toMatchObject({ source: 'import', changes: ['widgets[acme].locale'] });
  });

  it('keep what the browser saved when the file is unchanged, and take the file when it changes (newest wins)', async () => {
    const { version } = await current();
    expect(await stack.helpdesk.reload()).toMatchObject({ ok: true }); // SIGHUP, file as it was
    expect((await current()).version).toBe(version);
    const file = JSON.parse(readFileSync(stack.configPath, 'utf8'));
    file.widgets[0].reopenOnReply = false;
    writeFileSync(stack.configPath, JSON.stringify(file, null, 2));
    expect(await stack.helpdesk.reload()).toMatchObject({ ok: true });
    expect((await current()).version).toBe(version + 1);
    expect((await current()).document).toEqual(file);
    expect((await (await publicConfig()).json()).reopenOnReply).toBe(false);
    expect((await json(as(admin, '/v1/settings/versions'))).versions[0]).toMatchObject({ source: 'file' });
    // Reformatting the file is not a change.
    writeFileSync(stack.configPath, JSON.stringify(file));
    await stack.helpdesk.reload();
    expect((await current()).version).toBe(version + 1);
  });
});

describe('the live preview', () => {
  it('serves a widget as edited, before it is saved, under an unguessable id; it sends no messages', async () => {
    const widget = { id: 'draft', allowedOrigins: [], locale: 'ru', theme: { color: '#2da44e' }, channels: [tg, mail] };
    const created = await as(admin, '/v1/settings/preview', { method: 'POST', body: JSON.stringify({ widget }) });
    expect(created.status).toBe(201);
    const { id } = await json<{ id: string }>(created);
    expect(id).toMatch(/^preview-[\w-]{22}$/);
    const config = await (await fetch(`${stack.api}/v1/widgets/${id}/config`)).json();
    expect(config).toMatchObject({ id, locale: 'ru', theme: { color: '#2da44e' } });
    // Edited again under the same id: the next load shows the change.
    await as(admin, '/v1/settings/preview', { method: 'POST', body: JSON.stringify({ id, widget: { ...widget, locale: 'en' } }) });
    expect((await (await fetch(`${stack.api}/v1/widgets/${id}/config`)).json()).locale).toBe('en');
    const page = await fetch(`${stack.api}/settings/preview/${id}?lang=ru&open=1`);
    expect(page.headers.get('Content-Security-Policy')).toMatch(/^default-src 'self'/);
    expect(await page.text()).toContain(`<script async src="/omniwidget.js" data-widget-id="${id}" data-locale="ru"></script>`);
    const message = await fetch(`${stack.api}/v1/widgets/${id}/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'preview-message-1', Origin: stack.api },
      body: JSON.stringify({ email: 'a@example.com', message: 'hi' }),
    });
    expect(message.status).toBe(403);
    expect((await fetch(`${stack.api}/v1/widgets/preview-${'x'.repeat(22)}/config`)).status).toBe(404);
  });

  it('says what is wrong with a draft at its field, relative to the widget', async () => {
    const response = await as(admin, '/v1/settings/preview', { method: 'POST', body: JSON.stringify({ widget: { id: 'draft', allowedOrigins: [], channels: [{ id: 'call', type: 'phone', phone: 'abc' }] } }) });
    expect(response.status).toBe(400);
    expect((await json(response)).error.issues).toEqual([{ field: 'channels[0].phone', message: expect.stringMatching(/international number/) }]);
  });
});

describe('what changed between versions', () => {
  it('names widgets by id, lists and values by path, and says when there were more', () => {
    const a = { widgets: [{ id: 'a', channels: [{ id: 'x' }] }, { id: 'b' }], helpdesk: { chaport: { idleMinutes: 10 } } };
    const b = { widgets: [{ id: 'b' }, { id: 'a', channels: [{ id: 'y' }] }, { id: 'c' }], helpdesk: { chaport: { idleMinutes: 15 } } };
    expect(changedPaths(a, b)).toEqual(['widgets[a].channels[y] added', 'widgets[a].channels[x] removed', 'widgets[c] added', 'widgets (order)', 'helpdesk.chaport.idleMinutes']);
    expect(changedPaths(undefined, { widgets: [] })).toEqual([]);
    expect(changedPaths({ x: Array.from({ length: 40 }, (_, i) => i) }, { x: Array.from({ length: 40 }, (_, i) => -i - 1) }, 5)).toEqual(['x[0]', 'x[1]', 'x[2]', 'x[3]', 'x[4]', '…']);
  });
});
