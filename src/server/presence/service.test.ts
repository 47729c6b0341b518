import { http, HttpResponse, delay } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { BACKENDS, testDatabase, type TestDatabaseTarget } from '../../../tests/support/databases.ts';
import { createApi } from '../app.ts';
import { parseConfigFile } from '../config/file.ts';
import { staticConfigSource } from '../config/source.ts';
import { listen } from '../http/listen.ts';
import { createLogger } from '../log.ts';
import type { AppDatabase } from '../storage/open.ts';
import { databaseCoordinator } from './commands.ts';
import { createPresenceService } from './service.ts';

const TOKEN = 'chaport-secret-token-42';
const upstream = { calls: 0, status: 200, delayMs: 0, statuses: ['offline', 'online'] as string[], authorization: [] as (string | null)[] };

// Chaport's REST API, at its real address: the service cannot tell msw from Chaport.
const chaport = setupServer(
  http.get('https://app.chaport.com/api/v1/operators', async ({ request }) => {
    upstream.calls++;
    upstream.authorization.push(request.headers.get('Authorization'));
    if (upstream.delayMs) await delay(upstream.delayMs);
    if (upstream.status !== 200) return HttpResponse.json({ error: 'nope' }, { status: upstream.status });
    return HttpResponse.json({
      result: upstream.statuses.map((status, index) => ({ id: `op${index}`, email: `op${index}@acme.example`, name: `Op ${index}`, lastStatus: status, realStatus: status })),
    });
  }),
);
beforeAll(() => chaport.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => chaport.close());
beforeEach(() => Object.assign(upstream, { calls: 0, status: 200, delayMs: 0, statuses: ['offline', 'online'], authorization: [] }));
afterEach(() => chaport.resetHandlers());

const registry = parseConfigFile(
  {
    widgets: [
      { id: 'acme', allowedOrigins: ['*'], presence: { pollSeconds: 20 }, channels: [{ id: 'chat', type: 'chaport', appId: 'a'.repeat(24), display: 'hideWhenOffline' }] },
      // A second widget on the same Chaport account shares the cache.
      { id: 'acme-2', allowedOrigins: ['*'], channels: [{ id: 'live', type: 'chaport', appId: 'a'.repeat(24), display: 'hideWhenOffline' }] },
    ],
  },
  { CHAPORT_API_TOKEN: TOKEN },
);
const acme = registry.get('acme')!;

function service(extra: Parameters<typeof createPresenceService>[0] = {}) {
  let clock = 1_000_000;
  const lines: string[] = [];
  const presence = createPresenceService({ refreshMs: 10_000, maxStaleMs: 60_000, answerWithinMs: 100, now: () => clock, log: createLogger((line) => lines.push(line)), ...extra });
  return { presence, lines, advance: (ms: number) => (clock += ms) };
}

describe('presence service', () => {
  it('asks Chaport with the bearer token; any operator with realStatus "online" counts', async () => {
    const { presence } = service();
    expect(await presence.forWidget(acme)).toEqual({ channels: { chat: { online: true } }, checkedAt: new Date(1_000_000).toISOString() });
    expect(upstream.authorization).toEqual([`Bearer ${TOKEN}`]);
    upstream.statuses = ['offline', 'invisible'];
    const { presence: fresh } = service();
    expect((await fresh.forWidget(acme)).channels.chat).toEqual({ online: false });
  });

  it('makes one upstream call however many visitors poll at once (single flight)', async () => {
    const { presence } = service();
    upstream.delayMs = 50;
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => presence.forWidget(i % 2 ? acme : registry.get('acme-2')!)));
    expect(upstream.calls).toBe(1);
    expect(presence.upstreamCalls).toBe(1);
    expect(new Set(answers.map((answer) => JSON.stringify(Object.values(answer.channels))))).toEqual(new Set(['[{"online":true}]']));
  });

  it('serves the cached value within the refresh interval, and refreshes once after it', async () => {
    const { presence, advance } = service();
    await presence.forWidget(acme);
    advance(9_999);
    upstream.statuses = ['offline'];
    expect((await presence.forWidget(acme)).channels.chat!.online).toBe(true);
    expect(upstream.calls).toBe(1);
    advance(1);
    expect((await presence.forWidget(acme)).channels.chat!.online).toBe(false);
    await Promise.all([presence.forWidget(acme), presence.forWidget(acme)]);
    expect(upstream.calls).toBe(2);
  });

  it('keeps serving the last known value while Chaport fails, without hammering it, then says unknown', async () => {
    const { presence, advance, lines } = service();
    await presence.forWidget(acme);
    upstream.status = 503;
    advance(10_000);
    expect((await presence.forWidget(acme)).channels.chat).toEqual({ online: true });
    expect((await presence.forWidget(acme)).channels.chat).toEqual({ online: true });
    expect(upstream.calls).toBe(2); // the failure is not retried within the interval
    for (let elapsed = 10_000; elapsed <= 60_000; elapsed += 10_000) {
      advance(10_000);
      await presence.forWidget(acme);
    }
    expect(await presence.forWidget(acme)).toEqual({ channels: { chat: { online: null } }, checkedAt: new Date(1_000_000).toISOString() });
    expect(lines.some((line) => line.includes('presence.upstream_failed') && line.includes('answered 503'))).toBe(true);
    upstream.status = 200;
    advance(10_000);
    expect((await presence.forWidget(acme)).channels.chat).toEqual({ online: true });
  });

  it('answers with the last known value when Chaport is slow, and takes the fresh one when it comes', async () => {
    const { presence, advance } = service({ answerWithinMs: 20 });
    await presence.forWidget(acme);
    upstream.delayMs = 200;
    upstream.statuses = ['offline'];
    advance(10_000);
    const started = performance.now();
    expect((await presence.forWidget(acme)).channels.chat!.online).toBe(true);
    expect(performance.now() - started).toBeLessThan(150);
    // The slow call lands in the background; the next poll gets its answer.
    await vi.waitFor(async () => expect((await presence.forWidget(acme)).channels.chat!.online).toBe(false), { timeout: 10_000, interval: 20 });
  });

  it('an unknown answer before Chaport ever answered', async () => {
    upstream.status = 401;
    const { presence, lines } = service();
    expect((await presence.forWidget(acme)).channels.chat).toEqual({ online: null });
    expect(lines.join('\n')).toMatch(/the API token was refused/);
  });

  it('never writes the token to a log line', async () => {
    upstream.status = 401;
    const { presence, lines } = service();
    await presence.forWidget(acme);
    upstream.status = 200;
    const { presence: ok, lines: okLines } = service();
    await ok.forWidget(acme);
    expect([...lines, ...okLines].join('\n')).not.toContain(TOKEN);
  });
});

describe.each(BACKENDS)('presence shared by instances on one %s database', (backend) => {
  let target: TestDatabaseTarget;
  let db: AppDatabase;
  let clock = 1_000_000;
  beforeEach(async () => {
    target = await testDatabase(backend);
    db = await target.open({ now: () => clock });
  });
  afterEach(async () => {
    await db.close();
    await target.remove();
  });

  it('makes one Chaport call per interval among all instances, and every instance answers with it', async () => {
    const instances = Array.from({ length: 3 }, () =>
      createPresenceService({ refreshMs: 10_000, answerWithinMs: 1000, now: () => clock, coordinator: databaseCoordinator(db) }),
    );
    for (let round = 0; round < 4; round++) {
      // The instance that claims the refresh answers first; the others read what it recorded.
      const answers = await Promise.all(instances.map((presence) => presence.forWidget(acme)));
      expect(answers.filter((answer) => answer.channels.chat?.online === true).length).toBeGreaterThanOrEqual(1);
      await Promise.all(instances.map((presence) => presence.settled()));
      clock += 10_000;
    }
    expect(upstream.calls).toBe(4);
    expect(instances.reduce((sum, presence) => sum + presence.upstreamCalls, 0)).toBe(4);
    // A change reaches every instance: one asks Chaport, the others read what it recorded.
    upstream.statuses = ['offline'];
    await Promise.all(instances.map((presence) => presence.forWidget(acme)));
    await Promise.all(instances.map((presence) => presence.settled()));
    expect(upstream.calls).toBe(5);
    clock += 10_000;
    await Promise.all(instances.map((presence) => presence.forWidget(acme)));
    await Promise.all(instances.map((presence) => presence.settled()));
    const answers = await Promise.all(instances.map((presence) => presence.forWidget(acme)));
    expect(answers.map((answer) => answer.channels.chat?.online)).toEqual([false, false, false]);
  });
});

describe('GET /v1/widgets/{id}/presence', () => {
  let target: TestDatabaseTarget;
  let store: AppDatabase;
  beforeAll(async () => {
    target = await testDatabase('sqlite');
    store = await target.open();
  });
  afterAll(async () => {
    await store.close();
    await target.remove();
  });

  it('answers with a weak ETag over the availability, 304 when unchanged, and a CDN-friendly Cache-Control', async () => {
    const lines: string[] = [];
    const log = createLogger((line) => lines.push(line));
    const server = await listen(createApi({ widgets: staticConfigSource(registry), db: store, presence: createPresenceService({ refreshMs: 0, log }), log }));
    try {
      const first = await fetch(`${server.url}/v1/widgets/acme/presence`, { headers: { Origin: 'https://site.example' } });
      expect(first.status).toBe(200);
      expect(first.headers.get('cache-control')).toBe('public, max-age=10, s-maxage=10, stale-if-error=300');
      expect(first.headers.get('access-control-allow-origin')).toBe('https://site.example');
      const etag = first.headers.get('etag')!;
      expect(etag).toMatch(/^W\/"/);
      const body = await first.text();
      expect(JSON.parse(body)).toMatchObject({ channels: { chat: { online: true } } });
      expect(body).not.toContain(TOKEN);

      const unchanged = await fetch(`${server.url}/v1/widgets/acme/presence`, { headers: { 'If-None-Match': etag } });
      expect(unchanged.status).toBe(304);
      upstream.statuses = ['offline'];
      const changed = await fetch(`${server.url}/v1/widgets/acme/presence`, { headers: { 'If-None-Match': etag } });
      expect(changed.status).toBe(200);
      expect((await changed.json()).channels.chat.online).toBe(false);
      expect(changed.headers.get('etag')).not.toBe(etag);
      expect(lines.join('\n')).not.toContain(TOKEN);
    } finally {
      await server.close();
    }
  });

  it('answers an empty map without asking Chaport when no chat hides while offline', async () => {
    const widgets = parseConfigFile({ widgets: [{ id: 'plain', allowedOrigins: ['*'], channels: [{ id: 'chat', type: 'chaport', appId: 'a'.repeat(24) }] }] }, {});
    const server = await listen(createApi({ widgets: staticConfigSource(widgets), db: store }));
    try {
      const response = await fetch(`${server.url}/v1/widgets/plain/presence`);
      expect(await response.json()).toEqual({ channels: {}, checkedAt: null });
      expect(upstream.calls).toBe(0);
    } finally {
      await server.close();
    }
  });
});
