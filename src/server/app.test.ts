import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApi } from './app.ts';
import { parseConfigFile } from './config/file.ts';
import { createLogger } from './log.ts';
import { openMessageStore, type MessageStore } from './messages/store.ts';
import { listen, type RunningServer } from './start.ts';

const SITE = 'https://acme.example';
const widgetsFile = {
  widgets: [
    {
      id: 'acme',
      allowedOrigins: [SITE],
      channels: [
        { id: 'tg', type: 'telegram', username: 'acme_support' },
        { id: 'mail', type: 'email' },
      ],
    },
    { id: 'nomail', allowedOrigins: ['*'], channels: [{ id: 'tg', type: 'telegram', username: 'acme_support' }] },
  ],
};

let dir: string;
let store: MessageStore;
let server: RunningServer;
let logLines: string[];

async function start() {
  logLines = [];
  store = openMessageStore(join(dir, 'messages.sqlite'));
  const script = join(dir, 'omniwidget.js');
  writeFileSync(script, 'console.log("widget")');
  const app = createApi({ widgets: parseConfigFile(widgetsFile, {}), store, widgetScriptPath: script, log: createLogger((line) => logLines.push(line)) });
  server = await listen(app);
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'omniwidget-api-'));
  await start();
});
afterEach(async () => {
  await server.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (body: unknown, headers: Record<string, string> = {}, widget = 'acme') =>
  fetch(`${server.url}/v1/widgets/${widget}/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: SITE, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('GET /v1/widgets/{id}/config', () => {
  it('serves the public configuration with an ETag and answers 304 to a matching If-None-Match', async () => {
    const first = await fetch(`${server.url}/v1/widgets/acme/config`, { headers: { Origin: SITE } });
    expect(first.status).toBe(200);
    expect(first.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(first.headers.get('vary')).toMatch(/Origin/);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    const config = await first.json();
    expect(config).toMatchObject({ id: 'acme', reopenOnReply: true, channels: [{ id: 'tg' }, { id: 'mail', form: true }] });

    const again = await fetch(`${server.url}/v1/widgets/acme/config`, { headers: { 'If-None-Match': etag! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('answers CORS only to the widget\'s allowed origins', async () => {
    const other = await fetch(`${server.url}/v1/widgets/acme/config`, { headers: { Origin: 'https://evil.example' } });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();

    const preflight = await fetch(`${server.url}/v1/widgets/acme/messages`, {
      method: 'OPTIONS',
      headers: { Origin: SITE, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type, idempotency-key' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Idempotency-Key/);

    const refused = await fetch(`${server.url}/v1/widgets/acme/messages`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example' } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: { code: 'origin_not_allowed', message: 'Origin https://evil.example is not allowed for widget "acme"' } });
  });

  it('answers 404 JSON for an unknown widget, readable cross-origin', async () => {
    const response = await fetch(`${server.url}/v1/widgets/nobody/config`, { headers: { Origin: SITE } });
    expect(response.status).toBe(404);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'Unknown widget "nobody"' } });
  });

  it('answers 404 and 405 as JSON for unknown routes and methods', async () => {
    const missing = await fetch(`${server.url}/v2/nothing`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('not_found');
    const wrongMethod = await fetch(`${server.url}/v1/widgets/acme/config`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, OPTIONS');
    expect((await wrongMethod.json()).error.code).toBe('method_not_allowed');
  });
});

describe('POST /v1/widgets/{id}/messages', () => {
  const message = { name: 'Ann', email: 'ann@example.com', message: 'Hello', page: 'https://acme.example/pricing' };

  it('stores the message and answers 201 with its id', async () => {
    const response = await post(message, { 'Idempotency-Key': 'key-0000001' });
    expect(response.status).toBe(201);
    const { id } = await response.json();
    expect(id).toMatch(/^msg_/);
    expect(store.list('acme')).toEqual([expect.objectContaining({ id, ...message, origin: SITE, idempotencyKey: 'key-0000001' })]);
  });

  it('is idempotent: a retry with the same key gets the same id and writes nothing', async () => {
    const first = await (await post(message, { 'Idempotency-Key': 'key-0000002' })).json();
    const retry = await post(message, { 'Idempotency-Key': 'key-0000002' });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.json()).toEqual(first);
    expect(store.count('acme')).toBe(1);

    const reused = await post({ ...message, message: 'Something else' }, { 'Idempotency-Key': 'key-0000002' });
    expect(reused.status).toBe(422);
    expect((await reused.json()).error).toMatchObject({ code: 'idempotency_key_reused', field: 'Idempotency-Key' });
  });

  it('survives a restart: what was confirmed is still there', async () => {
    const { id } = await (await post(message, { 'Idempotency-Key': 'key-0000003' })).json();
    await server.close();
    store.close();
    await start();
    expect(store.list('acme').map((m) => m.id)).toEqual([id]);
    const retry = await post(message, { 'Idempotency-Key': 'key-0000003' });
    expect(await retry.json()).toEqual({ id });
  });

  it('names the bad field of an invalid body', async () => {
    const response = await post({ email: 'not-an-address', message: 'Hi' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'invalid_body', message: 'email: must be an e-mail address', field: 'email' } });

    const missing = await post({ email: 'ann@example.com' });
    expect(await missing.json()).toEqual({ error: { code: 'invalid_body', message: 'message: is required', field: 'message' } });
    expect(store.count()).toBe(0);
  });

  it('refuses malformed JSON, other content types, bad keys, oversized bodies and foreign origins with 4xx JSON', async () => {
    const cases: [Response, number, string][] = [
      [await post('{"email": '), 400, 'invalid_json'],
      [await post(message, { 'Content-Type': 'text/plain' }), 415, 'unsupported_media_type'],
      [await post(message, { 'Idempotency-Key': 'short' }), 400, 'invalid_idempotency_key'],
      [await post({ ...message, message: 'x'.repeat(40_000) }), 413, 'payload_too_large'],
      [await post(message, { Origin: 'https://evil.example' }), 403, 'origin_not_allowed'],
      [await post(message, {}, 'nomail'), 404, 'not_found'],
    ];
    for (const [response, status, code] of cases) {
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
      const body = await response.json();
      expect(body.error.code).toBe(code);
      expect(typeof body.error.message).toBe('string');
      expect(JSON.stringify(body)).not.toMatch(/\bat .*\.ts:\d+/);
    }
    expect(store.count()).toBe(0);
  });

  it('answers 503 (retry later), not 500, when the database cannot write', async () => {
    store.close(); // the next save throws inside the store
    const response = await post(message, { 'Idempotency-Key': 'key-0000004' });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect((await response.json()).error.code).toBe('unavailable');
    store = openMessageStore(join(dir, 'messages.sqlite'));
  });
});

describe('the widget script', () => {
  it('is served cross-origin with an ETag', async () => {
    const response = await fetch(`${server.url}/omniwidget.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const again = await fetch(`${server.url}/omniwidget.js`, { headers: { 'If-None-Match': response.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });
});

describe('logging', () => {
  it('logs one line per request without headers or bodies', async () => {
    await post({ email: 'ann@example.com', message: 'secret content' }, { Authorization: 'Bearer top-secret' });
    const lines = logLines.map((line) => JSON.parse(line));
    expect(lines.find((l) => l.event === 'http.request')).toMatchObject({ method: 'POST', path: '/v1/widgets/acme/messages', status: 201 });
    expect(logLines.join('\n')).not.toMatch(/top-secret|secret content|ann@example/);
  });
});
