import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDatabase, type TestDatabaseTarget } from '../../tests/support/databases.ts';
import { createApi, type ApiOptions } from './app.ts';
import { parseConfigFile } from './config/file.ts';
import { staticConfigSource } from './config/source.ts';
import { listen, type RunningServer } from './http/listen.ts';
import { createLogger } from './log.ts';
import { countMessages, listMessages } from './messages/commands.ts';
import type { AppDatabase } from './storage/open.ts';

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
let target: TestDatabaseTarget;
let db: AppDatabase;
let server: RunningServer;
let logLines: string[];
let accepting = true;

async function start(extra: Partial<ApiOptions> = {}) {
  logLines = [];
  db = await target.open();
  const script = join(dir, 'omniwidget.js');
  writeFileSync(script, `console.log("widget"); // ${'padding so it is worth compressing '.repeat(60)}`);
  mkdirSync(join(dir, 'omniwidget'), { recursive: true });
  writeFileSync(join(dir, 'omniwidget', 'panel-Ab12_-xY.js'), 'export const panel = 1;');
  const app = createApi({
    widgets: staticConfigSource(parseConfigFile(widgetsFile, {})),
    db,
    widgetScriptPath: script,
    log: createLogger((line) => logLines.push(line)),
    accepting: () => accepting,
    ...extra,
  });
  server = await listen(app);
}

async function stop() {
  await server.close();
  await db.close();
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'omniwidget-api-'));
  target = await testDatabase('sqlite');
  accepting = true;
  await start();
});
afterEach(async () => {
  await stop();
  await target.remove();
  rmSync(dir, { recursive: true, force: true });
});

const stored = () => db.read((q) => listMessages(q, 'acme'));
const count = () => db.read((q) => countMessages(q));

const post = (body: unknown, headers: Record<string, string> = {}, widget = 'acme') =>
  fetch(`${server.url}/v1/widgets/${widget}/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: SITE, ...headers },
    body: typeof body === 'string' || body instanceof ReadableStream ? body : JSON.stringify(body),
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);

describe('GET /v1/widgets/{id}/config', () => {
  it('serves the public configuration with an ETag, revalidated on every load, and answers 304 to a matching If-None-Match', async () => {
    const first = await fetch(`${server.url}/v1/widgets/acme/config`, { headers: { Origin: SITE, 'Accept-Encoding': 'identity' } });
    expect(first.status).toBe(200);
    expect(first.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(first.headers.get('vary')).toMatch(/Origin/);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    // Revalidated on every page load, so a change saved in the settings reaches the next one (#10).
    expect(first.headers.get('cache-control')).toBe('public, no-cache');
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
    expect(await stored()).toEqual([expect.objectContaining({ id, ...message, origin: SITE, idempotencyKey: 'key-0000001' })]);
  });

  it('is idempotent: a retry with the same key gets the same id and writes nothing', async () => {
    const first = await (await post(message, { 'Idempotency-Key': 'key-0000002' })).json();
    const retry = await post(message, { 'Idempotency-Key': 'key-0000002' });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.json()).toEqual(first);
    expect(await count()).toBe(1);

    const reused = await post({ ...message, message: 'Something else' }, { 'Idempotency-Key': 'key-0000002' });
    expect(reused.status).toBe(422);
    expect((await reused.json()).error).toMatchObject({ code: 'idempotency_key_reused', field: 'Idempotency-Key' });
  });

  it('survives a restart: what was confirmed is still there', async () => {
    const { id } = await (await post(message, { 'Idempotency-Key': 'key-0000003' })).json();
    await stop();
    await start();
    expect((await stored()).map((m) => m.id)).toEqual([id]);
    const retry = await post(message, { 'Idempotency-Key': 'key-0000003' });
    expect(await retry.json()).toEqual({ id });
  });

  it('names the bad field of an invalid body', async () => {
    const response = await post({ email: 'not-an-address', message: 'Hi' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'invalid_body', message: 'email: must be an e-mail address', field: 'email' } });

    const missing = await post({ email: 'ann@example.com' });
    expect(await missing.json()).toEqual({ error: { code: 'invalid_body', message: 'message: is required', field: 'message' } });
    expect(await count()).toBe(0);
  });

  it('keeps every byte it accepts, and refuses what it could not keep exactly, naming the field', async () => {
    const exact = { name: '  Ann  ', email: 'ann@example.com', message: '  Привет 😀\r\n\tline two  \u2028 e\u0301 ' };
    const response = await post(exact, { 'Idempotency-Key': 'exact-key-1' });
    expect(response.status).toBe(201);
    expect((await stored())[0]).toMatchObject(exact);

    const nul = await post({ email: 'ann@example.com', message: 'before\u0000after' });
    expect(nul.status).toBe(400);
    expect(await nul.json()).toEqual({ error: { code: 'invalid_body', message: 'message: must not contain NUL characters or unpaired surrogates', field: 'message' } });
    const surrogate = await post('{"email": "ann@example.com", "message": "lone \\ud800 surrogate"}');
    expect((await surrogate.json()).error).toMatchObject({ code: 'invalid_body', field: 'message' });
    const invalidUtf8 = await fetch(`${server.url}/v1/widgets/acme/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: SITE },
      body: Buffer.concat([Buffer.from('{"email": "ann@example.com", "message": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
    });
    expect(invalidUtf8.status).toBe(400);
    expect(await invalidUtf8.json()).toEqual({ error: { code: 'invalid_encoding', message: 'The body is not valid UTF-8' } });
    expect(await count()).toBe(1);
  });

  it('limits public writes per address and per widget with 429 and Retry-After', async () => {
    await stop();
    await start({ limits: { perIp: { limit: 3, windowSeconds: 60 }, perWidget: { limit: 5, windowSeconds: 60 } } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(message, { 'Idempotency-Key': `limited-${i}-key` })).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
    const limited = await post(message, { 'Idempotency-Key': 'limited-x-key' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect((await limited.json()).error).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/^Too many requests: at most 3 per 60 s; retry in \d+ s$/) });
    expect(await count()).toBe(3);
  });

  it('refuses malformed JSON, other content types, bad keys, oversized bodies and foreign origins with 4xx JSON', async () => {
    const cases: [Response, number, string][] = [
      [await post('{"email": '), 400, 'invalid_json'],
      [await post(message, { 'Content-Type': 'text/plain' }), 415, 'unsupported_media_type'],
      [await post(message, { 'Idempotency-Key': 'short' }), 400, 'invalid_idempotency_key'],
      [await post({ ...message, message: 'x'.repeat(40_000) }), 413, 'payload_too_large'],
      // No Content-Length (chunked): cut off as soon as it passes the limit.
      [await post(new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(`{"email":"a@b.co","message":"${'x'.repeat(40_000)}"}`)), c.close()) }) as never, {}), 413, 'payload_too_large'],
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
    expect(await count()).toBe(0);
  });

  it('answers 503 (retry later), not 500, when the database cannot write, and /readyz says why', async () => {
    await db.close(); // the next save finds no database
    const response = await post(message, { 'Idempotency-Key': 'key-0000004' });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect((await response.json()).error.code).toBe('unavailable');
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ready: false, database: { ok: false, backend: 'sqlite', error: 'The database is closed' } });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    db = await target.open();
  });
});

describe('the widget script', () => {
  it('is served cross-origin with an ETag', async () => {
    const response = await fetch(`${server.url}/omniwidget.js`, { headers: { 'Accept-Encoding': 'identity' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const again = await fetch(`${server.url}/omniwidget.js`, { headers: { 'If-None-Match': response.headers.get('etag')!, 'Accept-Encoding': 'identity' } });
    expect(again.status).toBe(304);
  });

  it('is sent compressed, brotli or gzip as the browser accepts, and each revalidates', async () => {
    const plain = await (await fetch(`${server.url}/omniwidget.js`, { headers: { 'Accept-Encoding': 'identity' } })).text();
    for (const [accept, encoding, decode] of [
      ['gzip, deflate, br', 'br', brotliDecompressSync],
      ['gzip', 'gzip', gunzipSync],
    ] as const) {
      const response = await rawGet('/omniwidget.js', { 'Accept-Encoding': accept });
      expect(response.headers['content-encoding']).toBe(encoding);
      expect(response.headers.vary).toMatch(/Accept-Encoding/);
      expect(response.body.length).toBeLessThan(Buffer.byteLength(plain) / 3);
      expect(decode(response.body).toString('utf8')).toBe(plain);
      const again = await rawGet('/omniwidget.js', { 'Accept-Encoding': accept, 'If-None-Match': String(response.headers.etag) });
      expect(again.status).toBe(304);
    }
  });
});

describe('the widget script\'s chunks (#11)', () => {
  it('are served from /omniwidget/ for any page: CORS (they are modules), CORP, and cached for good', async () => {
    const response = await fetch(`${server.url}/omniwidget/panel-Ab12_-xY.js`, { headers: { Origin: 'https://any.example' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('export const panel = 1;');
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('answer 404 JSON for a chunk that is not there, and for anything that is not a chunk\'s name', async () => {
    for (const path of ['/omniwidget/panel-Zz99Zz99.js', '/omniwidget/..%2Fomniwidget.js', '/omniwidget/.env', '/omniwidget/panel.js']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(404);
      expect((await response.json()).error.code, path).toBe('not_found');
    }
  });
});

describe('compression and readiness', () => {
  it('compresses the configuration (over 1 KB) and keeps it revalidatable; small answers go as they are', async () => {
    const config = await rawGet('/v1/widgets/acme/config', { 'Accept-Encoding': 'br' });
    expect(config.headers['content-encoding']).toBe('br');
    expect(config.headers.etag).toMatch(/^W\//);
    expect(JSON.parse(brotliDecompressSync(config.body).toString('utf8'))).toMatchObject({ id: 'acme' });
    expect((await rawGet('/v1/widgets/acme/config', { 'Accept-Encoding': 'br', 'If-None-Match': String(config.headers.etag) })).status).toBe(304);
    const small = await rawGet('/healthz', { 'Accept-Encoding': 'br' });
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(small.body.toString('utf8'))).toEqual({ ok: true });
  });

  it('/readyz is 200 when the database takes a write, and 503 "draining" once the server stops accepting', async () => {
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, draining: false, database: { ok: true, backend: 'sqlite' }, config: { ok: true, widgets: 2 } });
    accepting = false;
    const draining = await fetch(`${server.url}/readyz`);
    expect(draining.status).toBe(503);
    expect(await draining.json()).toMatchObject({ ready: false, draining: true });
  });
});

/** A GET through node:http, which (unlike fetch) leaves the body as the server encoded it. */
async function rawGet(path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    request(`${server.url}${path}`, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

describe('logging', () => {
  it('logs one line per request without headers or bodies', async () => {
    await post({ email: 'ann@example.com', message: 'secret content' }, { Authorization: 'Bearer top-secret' });
    const lines = logLines.map((line) => JSON.parse(line));
    expect(lines.find((l) => l.event === 'http.request')).toMatchObject({ method: 'POST', path: '/v1/widgets/acme/messages', status: 201 });
    expect(logLines.join('\n')).not.toMatch(/top-secret|secret content|ann@example/);
  });
});
