import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Conversation, ConversationDetail } from '../../contract/helpdesk.ts';
import { DEMO_APP_ID, startStack, type Origins, type Stack } from '../../../demo/stack.ts';
import { createLogger } from '../log.ts';
import { hashPassword } from '../staff/staff.ts';
import { newToken } from '../staff/tokens.ts';

const PASSWORD = 'a desk password';

/**
 * The helpdesk side over real HTTP: the Chaport sandbox sends real webhooks to the API, which reads chats back over
 * the sandbox's REST API; the agent API is called as another helpdesk would; outbound webhooks reach a real
 * receiver, verified with the `standardwebhooks` package as a receiver would.
 */

const APP = DEMO_APP_ID;
const SECRET = `whsec_${Buffer.from('a webhook signing secret for tests').toString('base64')}`;
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

let offset = 0;
const now = () => Date.now() + offset;
let stack: Stack;
let token: string;
const logLines: string[] = [];

/** The outbound webhook receiver: answers 200, unless `refuse` says otherwise for a body. */
const received: { id: string; body: string; headers: IncomingMessage['headers']; status: number }[] = [];
let refuse: (body: string) => number | null = () => null;
let receiver: ReturnType<typeof createServer>;
let receiverUrl = '';

function config(origins: Origins) {
  return {
    widgets: [{ id: 'acme', allowedOrigins: [origins.site], channels: [{ id: 'chat', type: 'chaport', appId: APP, apiUrl: `${origins.sandbox}/api/v1` }, { id: 'mail', type: 'email' }] }],
    helpdesk: {
      publicUrl: origins.api,
      groups: [
        { id: 'general', name: 'General' },
        { id: 'billing', name: 'Billing questions' },
        { id: 'technical', name: 'Technical questions' },
      ],
      chaport: {
        apiUrl: `${origins.sandbox}/api/v1`,
        defaultGroup: 'general',
        routing: [
          { startPage: '/pricing*', group: 'billing' },
          { startPage: '/docs/api*', group: 'technical' },
        ],
        idleMinutes: 10,
        reconcileMinutes: 0.05,
      },
      automation: [
        { id: 'careers', name: 'Career chats straight to cases', on: 'conversation.created', conditions: [{ field: 'startPage', op: 'matches', value: '/careers*' }], actions: [{ type: 'completeChat', status: 'pending' }] },
        { id: 'refunds', name: 'Refunds to billing', on: 'message.created', conditions: [{ field: 'channel', op: 'equals', value: 'online_chat' }, { field: 'messageText', op: 'contains', value: 'refund' }], actions: [{ type: 'setGroup', group: 'billing' }] },
      ],
      webhooks: [{ id: 'crm', url: receiverUrl, secretEnv: 'CRM_WEBHOOK_SECRET' }],
    },
  };
}

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const status = refuse(body) ?? 200;
      received.push({ id: String(request.headers['webhook-id']), body, headers: request.headers, status });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  stack = await startStack({
    widgets: config,
    env: { CRM_WEBHOOK_SECRET: SECRET },
    now,
    jobs: { pollMs: 100 },
    log: createLogger((line) => logLines.push(line)),
    limits: false,
  });
  const created = newToken();
  await stack.db.write('tokens.create', { id: created.id, name: 'tests', hash: created.hash });
  token = created.token;
  const staff = async (email: string, name: string, chaport: { mapping: 'operator' | 'create' | 'none'; operatorId: string | null }) =>
    stack.db.write('staff.create', { email, name, role: 'agent', groups: [], channels: ['online_chat', 'email'], passwordHash: await hashPassword(PASSWORD), chaport });
  await staff('anna@acme.example', 'Anna Desk', { mapping: 'operator', operatorId: 'op-anna' });
  await staff('carol@acme.example', 'Carol Create', { mapping: 'create', operatorId: null });
  await staff('nemo@acme.example', 'Nemo Unmapped', { mapping: 'none', operatorId: null });
}, 30_000);
afterAll(async () => {
  await stack?.close();
  await new Promise((resolve) => receiver.close(resolve));
});

const api = async <T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> => {
  const response = await fetch(`${stack.api}${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...init.headers } });
  return { status: response.status, body: (await response.json()) as T };
};
const conversationsOf = async (visitorId: string, view = 'all') =>
  (await api<{ conversations: Conversation[] }>(`/v1/conversations?view=${view}&limit=200`)).body.conversations.filter((item) => item.visitor.chaportVisitorId === visitorId);
const detail = async (id: string) => (await api<ConversationDetail>(`/v1/conversations/${id}`)).body;
const texts = (conversation: ConversationDetail) => conversation.messages.map((message) => `${message.author}: ${message.text}`);

/** A visitor opens a page of the site (Chaport's widget reports it), then writes. */
function visitorWrites(visitorId: string, text: string, page = 'https://acme.example/') {
  stack.chaport.state.session(APP, visitorId, { url: page, browser: UA });
  return stack.chaport.state.visitorMessage(APP, visitorId, text, page);
}

describe('connecting the Chaport account', () => {
  it('checks the token and subscribes to the chat events at its own URL, once however often it starts', async () => {
    await expect.poll(async () => (await api<{ status: { ok: boolean } | null }>('/v1/integrations/chaport')).body.status?.ok, { timeout: 10_000 }).toBe(true);
    const subscriptions = (await (await fetch(`${stack.sandbox}/api/v1/events/subscriptions`, { headers: { Authorization: 'Bearer sandbox-token-not-a-secret' } })).json()).result as { event: string; targetUrl: string }[];
    expect(subscriptions.map((item) => item.event).sort()).toEqual(['chat.finished', 'chat.newEvent.operatorMessage', 'chat.newEvent.visitorMessage', 'chat.started']);
    for (const item of subscriptions) expect(item.targetUrl).toMatch(new RegExp(`^${stack.api}/v1/chaport/webhooks/[0-9a-f]{64}/${item.event.replaceAll('.', '\\.')}$`));
    // Connecting again (a restart, another instance) lists first and adds nothing.
    await stack.helpdesk.chaport.jobs['chaport.connect']!.run({}, { job: {} as never, signal: new AbortController().signal });
    expect((await (await fetch(`${stack.sandbox}/api/v1/events/subscriptions`, { headers: { Authorization: 'Bearer sandbox-token-not-a-secret' } })).json()).result).toHaveLength(4);
    // "Connect" in the settings does the same at once, and answers with the fresh state.
    const connected = await api<{ status: { ok: boolean; account: string; checkedAt: string } }>('/v1/integrations/chaport/connect', { method: 'POST' });
    expect(connected.status).toBe(200);
    expect(connected.body.status).toMatchObject({ ok: true, account: APP });
    expect((await (await fetch(`${stack.sandbox}/api/v1/events/subscriptions`, { headers: { Authorization: 'Bearer sandbox-token-not-a-secret' } })).json()).result).toHaveLength(4);
    const { body } = await api<{ connected: boolean; status: { account: string; subscribed: string[]; webhookBase: string } }>('/v1/integrations/chaport');
    expect(body.status).toMatchObject({ account: APP, subscribed: expect.arrayContaining(['chat.started']) });
    expect(JSON.stringify(body)).not.toMatch(/[0-9a-f]{64}|sandbox-token/);
  });

  it('refuses webhooks without the path secret, and never logs the token', async () => {
    const forged = await fetch(`${stack.api}/v1/chaport/webhooks/${'0'.repeat(64)}/chat.started`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"extras":{"visitorId":"x","chatId":1}}' });
    expect(forged.status).toBe(404);
    expect(logLines.join('\n')).not.toContain('sandbox-token-not-a-secret');
  });
});

describe('chats come in as conversations', () => {
  it('a visitor writes: a live chat in the group its start page routes to, with the visitor data Chaport has', async () => {
    stack.chaport.state.setVisitorData(APP, 'v-pricing', { name: 'Ann Visitor', email: 'ann@visitor.example', custom: { plan: 'pro' } } as never);
    visitorWrites('v-pricing', 'How much is the pro plan?', 'https://acme.example/pricing?from=ad');
    await expect.poll(() => conversationsOf('v-pricing'), { timeout: 10_000 }).toHaveLength(1);
    const [conversation] = await conversationsOf('v-pricing');
    expect(conversation).toMatchObject({ channel: 'online_chat', phase: 'live', status: 'open', group: 'billing', startPage: 'https://acme.example/pricing?from=ad', subject: 'How much is the pro plan?' });
    expect(conversation!.visitor).toEqual({
      chaportVisitorId: 'v-pricing',
      name: 'Ann Visitor',
      email: 'ann@visitor.example',
      phone: null,
      lastVisitAt: expect.any(String),
      currentPage: 'https://acme.example/pricing?from=ad',
      startPage: 'https://acme.example/pricing?from=ad',
      browser: 'Chrome 156',
      os: 'Linux',
      // Not found in any source on Chaport's REST API: unknown, not invented.
      ip: null,
      language: null,
      location: null,
      custom: { plan: 'pro' },
    });
    stack.chaport.state.operatorMessage(APP, 'v-pricing', 'It is 20 € a month.', 'op-anna');
    await expect.poll(async () => texts(await detail(conversation!.id)), { timeout: 10_000 }).toEqual(['visitor: How much is the pro plan?', 'operator: It is 20 € a month.']);
    expect((await detail(conversation!.id)).messages[1]).toMatchObject({ authorName: 'Anna', externalId: expect.stringMatching(/^chaport:/) });
    visitorWrites('v-docs', 'Is there a rate limit?', 'https://acme.example/docs/api/v1');
    await expect.poll(async () => (await conversationsOf('v-docs'))[0]?.group, { timeout: 10_000 }).toBe('technical');
  });

  it('stores each message exactly once and in order, however the webhooks are repeated and shuffled', async () => {
    Object.assign(stack.chaport.controls.webhooks, { copies: 3, scatterMs: 200 });
    for (let i = 1; i <= 6; i++) {
      visitorWrites('v-storm', `line ${i}`);
      if (i % 2 === 0) stack.chaport.state.operatorMessage(APP, 'v-storm', `answer ${i}`, 'op-anna');
    }
    await stack.chaport.webhooksSettled();
    Object.assign(stack.chaport.controls.webhooks, { copies: 1, scatterMs: 0 });
    const expected = ['line 1', 'line 2', 'answer 2', 'line 3', 'line 4', 'answer 4', 'line 5', 'line 6', 'answer 6'];
    await expect.poll(async () => {
      const [conversation] = await conversationsOf('v-storm');
      return conversation ? (await detail(conversation.id)).messages.map((message) => message.text) : [];
    }, { timeout: 15_000 }).toEqual(expected);
    expect(await conversationsOf('v-storm')).toHaveLength(1);
  });

  it('repairs webhooks that never came, by reading recent chats back over REST', async () => {
    stack.chaport.controls.webhooks.drop = 100;
    visitorWrites('v-lost', 'Did anyone get this?');
    await stack.chaport.webhooksSettled();
    stack.chaport.controls.webhooks.drop = 0;
    expect(stack.chaport.webhooks.filter((item) => item.visitorId === 'v-lost').every((item) => item.status === 'dropped')).toBe(true);
    await expect.poll(() => conversationsOf('v-lost'), { timeout: 20_000 }).toHaveLength(1);
  });

  it('delays, never drops, while Chaport is down', async () => {
    stack.chaport.controls.restFailure = 503;
    visitorWrites('v-outage', 'Hello during an outage');
    await stack.chaport.webhooksSettled();
    await expect.poll(() => logLines.some((line) => line.includes('"job.failed"') && line.includes('503')), { timeout: 10_000 }).toBe(true);
    expect(await conversationsOf('v-outage')).toHaveLength(0);
    stack.chaport.controls.restFailure = null;
    await expect.poll(() => conversationsOf('v-outage'), { timeout: 20_000 }).toHaveLength(1);
  });
});

describe('live chats become cases', () => {
  it('completed by the agent: out of the live list, into the cases, and closed in Chaport', async () => {
    visitorWrites('v-agent', 'Please help');
    await expect.poll(() => conversationsOf('v-agent', 'live'), { timeout: 10_000 }).toHaveLength(1);
    const [live] = await conversationsOf('v-agent', 'live');
    const { status, body } = await api<Conversation>(`/v1/conversations/${live!.id}/complete`, { method: 'POST', body: JSON.stringify({ status: 'resolved' }) });
    expect(status).toBe(200);
    expect(body).toMatchObject({ phase: 'case', status: 'resolved', completedBy: 'agent' });
    expect(await conversationsOf('v-agent', 'live')).toHaveLength(0);
    expect(await conversationsOf('v-agent', 'cases')).toHaveLength(1);
    await expect.poll(() => stack.chaport.state.chatsOf(APP, 'v-agent').at(-1)?.stage, { timeout: 10_000 }).toBe('closed');
    expect((await api(`/v1/conversations/${live!.id}/complete`, { method: 'POST', body: '{}' })).status).toBe(409);
  });

  it('completed by Chaport (chat.finished); the visitor writing again starts a new live chat', async () => {
    visitorWrites('v-finished', 'First question');
    await expect.poll(() => conversationsOf('v-finished', 'live'), { timeout: 10_000 }).toHaveLength(1);
    stack.chaport.state.closeChat(APP, 'v-finished');
    await expect.poll(async () => (await conversationsOf('v-finished'))[0]?.completedBy, { timeout: 10_000 }).toBe('chaport');
    visitorWrites('v-finished', 'One more thing');
    await expect.poll(() => conversationsOf('v-finished', 'live'), { timeout: 10_000 }).toHaveLength(1);
    const all = await conversationsOf('v-finished');
    expect(all).toHaveLength(2);
    expect(texts(await detail((await conversationsOf('v-finished', 'live'))[0]!.id))).toEqual(['visitor: One more thing']);
  });

  it('completed by an automation rule at once, and routed by rules on message text', async () => {
    visitorWrites('v-careers', 'Are you hiring?', 'https://acme.example/careers/backend');
    await expect.poll(async () => (await conversationsOf('v-careers'))[0], { timeout: 10_000 }).toMatchObject({ phase: 'case', status: 'pending', completedBy: 'rule' });
    visitorWrites('v-careers', 'I have ten years of experience');
    await expect.poll(async () => (await detail((await conversationsOf('v-careers'))[0]!.id)).messageCount, { timeout: 10_000 }).toBe(2);
    expect(await conversationsOf('v-careers')).toHaveLength(1);
    visitorWrites('v-refund', 'I would like a refund');
    await expect.poll(async () => (await conversationsOf('v-refund'))[0]?.group, { timeout: 10_000 }).toBe('billing');
  });

  it('completed after 10 minutes of silence on both sides', async () => {
    visitorWrites('v-idle', 'Anyone there?');
    await expect.poll(() => conversationsOf('v-idle', 'live'), { timeout: 10_000 }).toHaveLength(1);
    offset += 9 * 60_000;
    await stack.helpdesk.chaport.jobs['conversations.idle']!.run({}, { job: {} as never, signal: new AbortController().signal });
    expect(await conversationsOf('v-idle', 'live')).toHaveLength(1);
    offset += 2 * 60_000;
    await stack.helpdesk.chaport.jobs['conversations.idle']!.run({}, { job: {} as never, signal: new AbortController().signal });
    expect((await conversationsOf('v-idle'))[0]).toMatchObject({ phase: 'case', completedBy: 'idle' });
  });
});

describe('e-mail-form messages and the agent API', () => {
  it('an e-mail-form message is a case on the email channel at once; filters by channel, status and group', async () => {
    const response = await fetch(`${stack.api}/v1/widgets/acme/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: stack.site, 'Idempotency-Key': 'email-case-0001' },
      body: JSON.stringify({ name: 'Bob', email: 'bob@example.com', message: 'Invoice question\nDetails follow.', page: 'https://acme.example/billing' }),
    });
    expect(response.status).toBe(201);
    const { body } = await api<{ conversations: Conversation[] }>('/v1/conversations?view=cases&channel=email');
    expect(body.conversations).toEqual([expect.objectContaining({ channel: 'email', phase: 'case', status: 'open', group: 'general', subject: 'Invoice question', visitor: expect.objectContaining({ name: 'Bob', email: 'bob@example.com' }) })]);
    expect((await api<{ conversations: Conversation[] }>('/v1/conversations?view=live&channel=email')).body.conversations).toEqual([]);
    expect((await api<{ conversations: Conversation[] }>('/v1/conversations?group=technical')).body.conversations.every((item) => item.group === 'technical')).toBe(true);
  });

  it('pages through conversations with a cursor', async () => {
    const first = await api<{ conversations: Conversation[]; nextCursor: string }>('/v1/conversations?limit=2');
    expect(first.body.conversations).toHaveLength(2);
    const second = await api<{ conversations: Conversation[] }>(`/v1/conversations?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.conversations.map((item) => item.id)).not.toContain(first.body.conversations[0]!.id);
  });

  it('answers nothing without a token, and 4xx JSON naming the problem', async () => {
    const anonymous = await fetch(`${stack.api}/v1/conversations`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect((await anonymous.json()).error.code).toBe('unauthorized');
    expect((await fetch(`${stack.api}/v1/conversations`, { headers: { Authorization: `Bearer owt_${'x'.repeat(43)}` } })).status).toBe(401);
    expect((await api('/v1/conversations?view=nope')).body).toEqual({ error: { code: 'invalid_query', message: 'view: must be "live", "cases" or "all"', field: 'view' } });
    expect((await api('/v1/conversations/conv_missing')).status).toBe(404);
    // The public widget endpoints stay public.
    expect((await fetch(`${stack.api}/v1/widgets/acme/config`)).status).toBe(200);
  });

  it('describes itself in an OpenAPI document made from the same schemas', async () => {
    const document = await (await fetch(`${stack.api}/v1/openapi.json`)).json();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/conversations', '/v1/conversations/{id}', '/v1/widgets/{widgetId}/config', '/v1/widgets/{widgetId}/presence', '/v1/widgets/{widgetId}/messages']));
    expect(document.components.schemas.Conversation.properties.visitor.properties.ip).toBeDefined();
    expect(document.components.schemas.MessageRequest.required).toEqual(expect.arrayContaining(['email', 'message']));
  });
});

describe('outbound webhooks', () => {
  it('are signed per Standard Webhooks, verify as a receiver would, and are retried with the same id until accepted', { timeout: 40_000 }, async () => {
    received.length = 0;
    let refused = false;
    refuse = (body) => (body.includes('v-hooked') && !refused ? ((refused = true), 500) : null);
    visitorWrites('v-hooked', 'Tell the CRM');
    await expect.poll(() => received.filter((item) => item.status === 200 && item.body.includes('v-hooked')).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    const verifier = new Webhook(SECRET);
    const types = new Set<string>();
    // The receiver's clock is the helpdesk's (these tests move it forward): its timestamp check must agree.
    vi.useFakeTimers({ toFake: ['Date'], now: now() });
    try {
      for (const item of received.filter((entry) => entry.body.includes('v-hooked'))) {
        const payload = verifier.verify(item.body, { 'webhook-id': item.id, 'webhook-timestamp': String(item.headers['webhook-timestamp']), 'webhook-signature': String(item.headers['webhook-signature']) }) as { type: string };
        types.add(payload.type);
      }
      // One changed byte, and the signature no longer holds.
      const genuine = received.find((entry) => entry.body.includes('v-hooked'))!;
      const headers = { 'webhook-id': genuine.id, 'webhook-timestamp': String(genuine.headers['webhook-timestamp']), 'webhook-signature': String(genuine.headers['webhook-signature']) };
      expect(() => verifier.verify(`${genuine.body} `, headers)).toThrow();
    } finally {
      vi.useRealTimers();
    }
    expect([...types].sort()).toEqual(['conversation.created', 'message.created']);
    const failed = received.find((item) => item.status === 500)!;
    expect(received.filter((item) => item.id === failed.id).map((item) => item.status)).toEqual([500, 200]);
    const { body } = await api<{ deliveries: { id: string; state: string; attempts: number }[] }>('/v1/webhooks/deliveries?endpoint=crm');
    expect(body.deliveries.find((item) => item.id === failed.id)).toMatchObject({ state: 'delivered', attempts: 2 });
  });

  it('go to the dead letters after about a day of failures, listed and revivable', { timeout: 40_000 }, async () => {
    received.length = 0;
    let listening = false;
    refuse = (body) => (body.includes('nobody listens') && !listening ? 503 : null);
    const response = await fetch(`${stack.api}/v1/widgets/acme/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: stack.site, 'Idempotency-Key': 'email-dead-0001' },
      body: JSON.stringify({ email: 'dead@example.com', message: 'nobody listens' }),
    });
    expect(response.status).toBe(201);
    // Each retry is hours apart: move the clock past each one.
    for (let round = 0; round < 10; round++) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      offset += 11 * 3600_000;
      stack.helpdesk.jobs.wake();
    }
    await expect.poll(async () => (await api<{ deliveries: { state: string }[] }>('/v1/webhooks/deliveries?state=dead')).body.deliveries.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    const dead = (await api<{ jobs: { id: string; kind: string; attempts: number }[] }>('/v1/jobs?state=dead')).body.jobs.filter((job) => job.kind === 'webhook.deliver');
    expect(dead.length).toBeGreaterThanOrEqual(2);
    expect(dead[0]!.attempts).toBe(8);
    listening = true;
    expect((await api(`/v1/jobs/${dead[0]!.id}/retry`, { method: 'POST' })).status).toBe(200);
    await expect.poll(async () => (await api<{ deliveries: { state: string }[] }>('/v1/webhooks/deliveries?state=delivered&endpoint=crm')).body.deliveries.length, { timeout: 10_000 }).toBeGreaterThan(0);
  });
});

describe('agents answer from the helpdesk', () => {
  async function signIn(email: string) {
    const response = await fetch(`${stack.api}/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
    expect(response.status).toBe(201);
    return { cookie: response.headers.get('set-cookie')!.split(';')[0]!, csrf: (await response.json()).csrfToken as string };
  }
  const reply = (who: { cookie: string; csrf: string }, conversationId: string, text: string) =>
    fetch(`${stack.api}/v1/conversations/${conversationId}/messages`, { method: 'POST', headers: { Cookie: who.cookie, 'X-CSRF-Token': who.csrf, 'Content-Type': 'application/json' }, body: JSON.stringify({ text }) });
  const liveOf = async (visitorId: string) => {
    await expect.poll(() => conversationsOf(visitorId, 'live'), { timeout: 10_000 }).toHaveLength(1);
    return (await conversationsOf(visitorId, 'live'))[0]!;
  };
  const chaportEvents = (visitorId: string) => stack.chaport.state.chatsOf(APP, visitorId).flatMap((chat) => chat.events);

  it("a reply goes to the visitor through Chaport as the agent's operator, once, and shows as sent", async () => {
    visitorWrites('v-desk', 'Can someone help me?');
    const conversation = await liveOf('v-desk');
    const anna = await signIn('anna@acme.example');
    const response = await reply(anna, conversation.id, 'Of course — what do you need?');
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ author: 'agent', authorName: 'Anna Desk', delivery: 'sending' });
    await expect.poll(() => chaportEvents('v-desk').filter((event) => event.type === 'operator-message').map((event) => [event.params.operatorId, event.params.text]), { timeout: 10_000 }).toEqual([
      ['op-anna', 'Of course — what do you need?'],
    ]);
    // Chaport's webhook about that operator message brings nothing new: the reply is linked, not stored twice.
    await stack.chaport.webhooksSettled();
    await expect.poll(async () => (await detail(conversation.id)).messages.map((message) => [message.author, message.delivery]), { timeout: 10_000 }).toEqual([
      ['visitor', null],
      ['agent', 'sent'],
    ]);
    expect((await detail(conversation.id)).unanswered).toBe(0);
  });

  it('creates the operator on the first reply — with the name only, once, even for replies sent together', async () => {
    visitorWrites('v-carol', 'Hello Carol?');
    const conversation = await liveOf('v-carol');
    const carol = await signIn('carol@acme.example');
    const operatorsBefore = stack.chaport.state.operators(APP).length;
    const [a, b] = await Promise.all([reply(carol, conversation.id, 'First line'), reply(carol, conversation.id, 'Second line')]);
    expect([a.status, b.status]).toEqual([201, 201]);
    await expect.poll(() => chaportEvents('v-carol').filter((event) => event.type === 'operator-message').length, { timeout: 15_000 }).toBe(2);
    const created = stack.chaport.state.operators(APP).slice(operatorsBefore);
    expect(created).toEqual([expect.objectContaining({ name: 'Carol Create', image: null })]);
    expect(new Set(chaportEvents('v-carol').filter((event) => event.type === 'operator-message').map((event) => event.params.operatorId))).toEqual(new Set([created[0]!.id]));
    const me = await (await fetch(`${stack.api}/v1/session`, { headers: { Cookie: carol.cookie } })).json();
    expect(me.staff.chaport).toEqual({ mapping: 'operator', operatorId: created[0]!.id });
  });

  it('shows a reply as failed when its author has no operator, and keeps it sending while Chaport is down', async () => {
    visitorWrites('v-nemo', 'Anyone?');
    const conversation = await liveOf('v-nemo');
    const nemo = await signIn('nemo@acme.example');
    const failed = await (await reply(nemo, conversation.id, 'I cannot be sent')).json();
    await expect.poll(async () => (await detail(conversation.id)).messages.find((message) => message.id === failed.id)?.delivery, { timeout: 10_000 }).toBe('failed');

    const anna = await signIn('anna@acme.example');
    stack.chaport.controls.restFailure = 503;
    const waiting = await (await reply(anna, conversation.id, 'Sent after the outage')).json();
    await expect.poll(() => logLines.some((line) => line.includes('"job.failed"') && line.includes('chaport.sendReply')), { timeout: 10_000 }).toBe(true);
    expect((await detail(conversation.id)).messages.find((message) => message.id === waiting.id)?.delivery).toBe('sending');
    stack.chaport.controls.restFailure = null;
    await expect.poll(async () => (await detail(conversation.id)).messages.find((message) => message.id === waiting.id)?.delivery, { timeout: 20_000 }).toBe('sent');
    // Retrying is for failed replies only.
    const retry = await fetch(`${stack.api}/v1/conversations/${conversation.id}/messages/${waiting.id}/retry`, { method: 'POST', headers: { Cookie: anna.cookie, 'X-CSRF-Token': anna.csrf } });
    expect(retry.status).toBe(409);
    // An API token cannot reply: replies are sent as a person.
    expect((await api(`/v1/conversations/${conversation.id}/messages`, { method: 'POST', body: JSON.stringify({ text: 'as a machine' }) })).status).toBe(403);
  });

  it("pushes an agent's desk status to their Chaport operator only when syncAgentStatus is on", async () => {
    const anna = await signIn('anna@acme.example');
    const setStatus = async (status: 'online' | 'away') => {
      const response = await fetch(`${stack.api}/v1/session/status`, { method: 'PUT', headers: { Cookie: anna.cookie, 'X-CSRF-Token': anna.csrf, 'Content-Type': 'application/json' }, body: JSON.stringify({ status }) });
      expect(response.status).toBe(200);
      expect((await response.json()).status).toBe(status);
    };
    const pushes = () => stack.chaport.state.restCalls.get('POST /api/v1/operators/op-anna/status') ?? 0;
    const annaInChaport = () => stack.chaport.state.operators(APP).find((operator) => operator.id === 'op-anna')?.status;
    stack.chaport.state.setOperatorStatus(APP, 'op-anna', 'offline');
    await setStatus('online'); // off by default: Chaport is not told
    const file = JSON.parse(readFileSync(stack.configPath, 'utf8'));
    try {
      writeFileSync(stack.configPath, JSON.stringify({ ...file, helpdesk: { ...file.helpdesk, chaport: { ...file.helpdesk.chaport, syncAgentStatus: true } } }));
      expect(await stack.helpdesk.reload()).toMatchObject({ ok: true });
      await setStatus('away');
      await setStatus('online');
      await expect.poll(pushes, { timeout: 10_000 }).toBe(2); // jobs run in order: an earlier push would have come first
      expect(annaInChaport()).toBe('online');
      await setStatus('away');
      await expect.poll(annaInChaport, { timeout: 10_000 }).toBe('offline');
      expect(pushes()).toBe(3);
    } finally {
      writeFileSync(stack.configPath, JSON.stringify(file));
      expect(await stack.helpdesk.reload()).toMatchObject({ ok: true });
      stack.chaport.state.setOperatorStatus(APP, 'op-anna', 'online');
    }
  });

  it('streams changes to the desk within a second, and resumes from Last-Event-ID', async () => {
    const anna = await signIn('anna@acme.example');
    const events: { id: string; event: string; data: string }[] = [];
    const open = async (lastEventId?: string) => {
      const controller = new AbortController();
      const response = await fetch(`${stack.api}/v1/events`, { headers: { Cookie: anna.cookie, ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}) }, signal: controller.signal });
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = response.body!.getReader();
      let buffer = '';
      void (async () => {
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) return;
            buffer += new TextDecoder().decode(value);
            let end: number;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const field = (name: string) => block.split('\n').find((line) => line.startsWith(`${name}:`))?.slice(name.length + 1).trim() ?? '';
              if (field('event')) events.push({ id: field('id'), event: field('event'), data: field('data') });
            }
          }
        } catch {
          /* aborted */
        }
      })();
      await expect.poll(() => events.some((event) => event.event === 'ready' || event.event === 'conversation')).toBe(true);
      return controller;
    };
    const first = await open();
    const started = Date.now();
    visitorWrites('v-stream', 'Live, please');
    await expect.poll(() => events.filter((event) => event.event === 'conversation').length, { timeout: 5000 }).toBeGreaterThan(0);
    // The webhook's short wait for related events, plus the sync, plus the stream: within a second or so.
    expect(Date.now() - started).toBeLessThan(2500);
    const seen = events.filter((event) => event.event === 'conversation');
    const last = seen.at(-1)!.id;
    first.abort();
    // Missed while disconnected, replayed on reconnecting.
    visitorWrites('v-stream', 'Are you still there?');
    const conversation = (await conversationsOf('v-stream'))[0]!;
    await expect.poll(async () => (await detail(conversation.id)).messageCount, { timeout: 10_000 }).toBe(2);
    events.length = 0;
    const second = await open(last);
    await expect.poll(() => events.filter((event) => event.event === 'conversation').map((event) => JSON.parse(event.data).conversationId)).toContain(conversation.id);
    expect(events.every((event) => Number(event.id) > Number(last))).toBe(true);
    second.abort();
  });

  it("tells a widget when its visitor got a reply, through the widget's own visitor id", async () => {
    const token = 'w1dgetV1sitor-0123456789abcdef';
    stack.chaport.state.setVisitorData(APP, 'v-signal', { custom: { omniwidget: token } } as never);
    visitorWrites('v-signal', 'I will close the chat now');
    const conversation = await liveOf('v-signal');
    const before = await fetch(`${stack.api}/v1/widgets/acme/replies/${token}`);
    expect(await before.json()).toEqual({ lastReplyAt: null });
    const anna = await signIn('anna@acme.example');
    await reply(anna, conversation.id, 'Here is your answer');
    await expect.poll(async () => (await (await fetch(`${stack.api}/v1/widgets/acme/replies/${token}`)).json()).lastReplyAt, { timeout: 10_000 }).not.toBeNull();
    const etag = (await fetch(`${stack.api}/v1/widgets/acme/replies/${token}`)).headers.get('etag')!;
    expect((await fetch(`${stack.api}/v1/widgets/acme/replies/${token}`, { headers: { 'If-None-Match': etag } })).status).toBe(304);
    expect((await fetch(`${stack.api}/v1/widgets/acme/replies/short`)).status).toBe(400);
  });
});
