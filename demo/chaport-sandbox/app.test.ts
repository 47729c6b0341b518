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
    const chats = (await (await rest(`/visitors/${visitorId}/chats`)).json()).result;
    expect(chats).toEqual([expect.objectContaining({ stage: 'responded', eventCount: 2, unread: 1 })]);
    const events = (await (await rest(`/visitors/${visitorId}/chats/${chats[0].id}/events`)).json()).result;
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
