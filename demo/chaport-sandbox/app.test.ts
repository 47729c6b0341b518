import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anyOperatorOnline } from '../../src/server/presence/chaport-operators.ts';
import { listen, type RunningServer } from '../../src/server/http/listen.ts';
import { createChaportSandbox, type ChaportSandbox } from './app.ts';

const APP = '5c1f0e0d0c0b0a0908070605';
const TOKEN = 'test-token';
let sandbox: ChaportSandbox;
let server: RunningServer;
const rest = (path: string, init: RequestInit = {}, token: string | null = TOKEN) =>
  fetch(`${server.url}/api/v1${path}`, { ...init, headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}), ...init.headers } });

beforeAll(async () => {
  sandbox = createChaportSandbox([
    {
      appId: APP,
      token: TOKEN,
      operators: [
        { id: 'op1', name: 'Anna', email: 'anna@acme.example', status: 'online' },
        { id: 'op2', name: 'Boris', email: 'boris@acme.example', status: 'offline' },
      ],
    },
  ]);
  server = await listen(sandbox.app);
});
afterAll(() => server.close());

describe('the Chaport sandbox REST API', () => {
  it('refuses calls without a valid bearer token', async () => {
    expect((await rest('/operators', {}, null)).status).toBe(401);
    expect((await rest('/operators', {}, 'wrong')).status).toBe(401);
  });

  it('lists operators in Chaport\'s shape, with lastStatus and realStatus', async () => {
    const body = await (await rest('/operators')).json();
    expect(body.result).toEqual([
      expect.objectContaining({ id: 'op1', email: 'anna@acme.example', name: 'Anna', role: 'operator', lastStatus: 'online', realStatus: 'online', lastLoginAt: expect.any(String) }),
      expect.objectContaining({ id: 'op2', realStatus: 'offline' }),
    ]);
    expect(await anyOperatorOnline(`${server.url}/api/v1`, TOKEN)).toBe(true);
    sandbox.state.setOperatorStatus(APP, 'op1', 'invisible');
    expect(await anyOperatorOnline(`${server.url}/api/v1`, TOKEN)).toBe(false);
    sandbox.state.setOperatorStatus(APP, 'op1', 'online');
  });

  it('takes an operator message for a visitor, idempotently with external_id, and exposes the chat', async () => {
    const visitorId = 'visitor1';
    sandbox.state.visitorMessage(APP, visitorId, 'Hello?');
    const message = { visitorId, chatEvent: { type: 'operator-message', params: { text: 'Hi there', operatorId: 'op1' } }, external_id: 'helpdesk-1' };
    const first = await (await rest('/messages', { method: 'POST', body: JSON.stringify(message) })).json();
    const again = await (await rest('/messages', { method: 'POST', body: JSON.stringify(message) })).json();
    expect(again.result.id).toBe(first.result.id);
    const chat = (await (await rest(`/visitors/${visitorId}/chats`)).json()).result;
    expect(chat).toEqual(expect.objectContaining({ id: expect.any(Number), stage: 'responded', eventCount: 2, operators: ['op1'], missed: false }));
    expect(chat.events).toHaveLength(2);
    const events = (await (await rest(`/visitors/${visitorId}/chats/${chat.id}/events`)).json()).result;
    expect(events.map((event: { type: string; params: { text: string } }) => [event.type, event.params.text])).toEqual([
      ['visitor-message', 'Hello?'],
      ['operator-message', 'Hi there'],
    ]);
    expect((await (await rest('/visitors')).json()).result.map((visitor: { id: string }) => visitor.id)).toContain(visitorId);
  });

  it('validates messages and names what is wrong', async () => {
    const bad = await rest('/messages', { method: 'POST', body: JSON.stringify({ visitorId: 'v', chatEvent: { type: 'note' } }) });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toBe('chatEvent.type must be "operator-message"');
    expect((await rest('/messages', { method: 'POST', body: JSON.stringify({ visitorId: 'nobody', chatEvent: { type: 'operator-message', params: { text: 'x' } } }) })).status).toBe(404);
  });

  it('plays a slow or failing Chaport on demand, and counts every call', async () => {
    const before = sandbox.state.restCalls.get('GET /api/v1/operators') ?? 0;
    sandbox.controls.restFailure = 502;
    await expect(anyOperatorOnline(`${server.url}/api/v1`, TOKEN)).rejects.toThrow(/answered 502/);
    sandbox.controls.restFailure = null;
    sandbox.controls.restDelayMs = 300;
    await expect(anyOperatorOnline(`${server.url}/api/v1`, TOKEN, { timeoutMs: 50 })).rejects.toThrow(/no answer within 50 ms/);
    sandbox.controls.restDelayMs = 0;
    expect(sandbox.state.restCalls.get('GET /api/v1/operators')).toBe(before + 2);
  });
});

describe('the sandbox as a source of webhooks', () => {
  it('keeps subscriptions per account, and sends thin bodies — ids only — to each subscribed URL', async () => {
    const received: { path: string; body: unknown }[] = [];
    const receiver = await listen({
      fetch: async (request: Request) => {
        received.push({ path: new URL(request.url).pathname, body: await request.json() });
        return new Response(null, { status: 202 });
      },
    });
    try {
      const subscribe = (event: string) => rest('/events/subscriptions', { method: 'POST', body: JSON.stringify({ targetUrl: `${receiver.url}/hook/${event}`, event, essential: true }) });
      for (const event of ['chat.started', 'chat.newEvent.visitorMessage', 'chat.finished']) expect((await subscribe(event)).status).toBe(201);
      expect((await subscribe('chat.unknown')).status).toBe(400);
      const listed = (await (await rest('/events/subscriptions')).json()).result;
      expect(listed.map((item: { event: string }) => item.event)).toEqual(['chat.started', 'chat.newEvent.visitorMessage', 'chat.finished']);

      const { chat } = sandbox.state.visitorMessage(APP, 'hooked', 'Hello', 'https://acme.example/pricing');
      expect((await rest('/visitors/hooked/chats', { method: 'PUT', body: JSON.stringify({ stage: 'closed' }) })).status).toBe(200);
      await sandbox.webhooksSettled();
      const body = { link: '/api/v1/visitors/hooked/chats', extras: { visitorId: 'hooked', chatId: chat.id } };
      expect(received).toEqual([
        { path: '/hook/chat.started', body },
        { path: '/hook/chat.newEvent.visitorMessage', body },
        { path: '/hook/chat.finished', body },
      ]);
      expect((await (await rest('/visitors/hooked/chats')).json()).result).toMatchObject({ stage: 'closed', startPage: 'https://acme.example/pricing', closedAt: expect.any(String) });

      // Faults on demand: dropped, repeated, scattered.
      received.length = 0;
      Object.assign(sandbox.controls.webhooks, { drop: 1, copies: 3, scatterMs: 30 });
      sandbox.state.visitorMessage(APP, 'hooked', 'Again');
      await sandbox.webhooksSettled();
      Object.assign(sandbox.controls.webhooks, { drop: 0, copies: 1, scatterMs: 0 });
      expect(received.map((item) => item.path).sort()).toEqual(['/hook/chat.newEvent.visitorMessage', '/hook/chat.newEvent.visitorMessage', '/hook/chat.newEvent.visitorMessage']);
      expect(sandbox.webhooks.filter((item) => item.status === 'dropped').map((item) => item.event)).toEqual(['chat.started']);
      for (const { id } of listed) expect((await rest(`/events/subscriptions/${id}`, { method: 'DELETE' })).status).toBe(204);
    } finally {
      await receiver.close();
    }
  });

  it('lists visitors most recent first, 20 a page, and creates operators by name', async () => {
    for (let i = 0; i < 25; i++) sandbox.state.session(APP, `paged-${i}`, {});
    const first = await (await rest('/visitors')).json();
    expect(first.result).toHaveLength(20);
    expect(first.links.next).toBe('/api/v1/visitors?page=2');
    expect(first.result[0]).not.toHaveProperty('ip');
    const created = await rest('/operators', { method: 'POST', body: JSON.stringify({ name: 'Vera' }) });
    expect(created.status).toBe(201);
    expect((await created.json()).result).toMatchObject({ id: expect.any(String), name: 'Vera', image: null });
  });
});

describe('the sandbox embed script', () => {
  it('is served as a classic script, and its chat window page is frameable under a strict CSP', async () => {
    const script = await fetch(`${server.url}/javascripts/insert.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const code = await script.text();
    expect(code).toContain('chaportConfig');
    expect(code).not.toMatch(/^import |^export /m);
    const page = await fetch(`${server.url}/widget/show.html?appid=${APP}&visitor=1`);
    expect(page.headers.get('content-security-policy')).toBe("default-src 'self'; frame-ancestors *");
  });
});
