import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { SandboxError, createSandboxState, type AccountSeed, type Chat, type LiveEvent, type OperatorStatus, type SandboxState, type Visitor } from './state.ts';

/**
 * The Chaport sandbox: everything the SDK and the helpdesk API use from Chaport, on one local origin.
 * - `/javascripts/insert.js` — the embed script (see browser/insert.ts), and the chat window it frames;
 * - `/api/v1/*` — a fake of Chaport's REST API with bearer tokens (`operators`, `messages`, `visitors`…);
 * - `/console` — an operator console to switch operators online/offline and reply to visitors.
 * The SDK talks to it exactly as it would to Chaport: only the URLs differ.
 */

export interface SandboxControls {
  /** Delay of every REST answer, to play a slow Chaport. */
  restDelayMs: number;
  /** When set, every REST call fails with this status, to play an unreachable Chaport. */
  restFailure: number | null;
  /** Faults in the webhooks it sends, to play an unreliable Chaport. */
  webhooks: {
    /** The next this-many webhooks are not sent at all. */
    drop: number;
    /** Each webhook is sent this many times (1: once). */
    copies: number;
    /** Each copy waits a random time up to this before it is sent, so they arrive out of order. */
    scatterMs: number;
  };
}

/** A webhook the sandbox sent (or dropped), for tests and the console. */
export interface WebhookRecord {
  event: string;
  targetUrl: string;
  visitorId: string;
  chatId: number;
  status: number | 'dropped' | 'failed';
}

export interface ChaportSandbox {
  app: Hono;
  state: SandboxState;
  controls: SandboxControls;
  /** Every webhook sent or dropped, in order. */
  webhooks: WebhookRecord[];
  /** Resolves when no webhook is on its way (tests: wait for the sandbox to have said everything). */
  webhooksSettled(): Promise<void>;
}

/** Subscriptions: `POST /api/v1/events/subscriptions {targetUrl, event, essential}`. */
interface Subscription {
  id: number;
  appId: string;
  targetUrl: string;
  event: string;
  essential: boolean;
}

/**
 * Which Chaport event each sandbox event is. `chat.started`, `chat.finished` and `chat.newEvent.visitorMessage` are
 * documented (third-party sources); the operator-message event's real name is not known: the sandbox calls it
 * `chat.newEvent.operatorMessage`, and the helpdesk never depends on receiving it (it reads the truth over REST).
 */
const WEBHOOK_EVENTS: Partial<Record<LiveEvent['kind'], string>> = {
  'chat-started': 'chat.started',
  'chat-finished': 'chat.finished',
  'visitor-message': 'chat.newEvent.visitorMessage',
  'operator-message': 'chat.newEvent.operatorMessage',
};

const page = (name: string) => readFileSync(new URL(`./pages/${name}`, import.meta.url), 'utf8');

let scripts: Promise<Record<string, string>> | undefined;
/** The browser scripts, bundled once per process from browser/*.ts. */
function browserScripts(): Promise<Record<string, string>> {
  scripts ??= build({
    entryPoints: ['insert', 'window', 'console'].map((name) => ({ in: new URL(`./browser/${name}.ts`, import.meta.url).pathname, out: name })),
    bundle: true,
    format: 'iife',
    target: 'es2020',
    write: false,
    outdir: 'out',
    logLevel: 'silent',
  }).then((result) => Object.fromEntries(result.outputFiles.map((file) => [file.path.replace(/^.*\/(\w+)\.js$/, '$1'), file.text])));
  return scripts;
}

const js = (c: Context, code: string) => c.body(code, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache', 'Cross-Origin-Resource-Policy': 'cross-origin' });
const css = (c: Context, code: string) => c.body(code, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'no-cache' });
const html = (c: Context, code: string, headers: Record<string, string> = {}) => c.body(code, 200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache', ...headers });

export function createChaportSandbox(seeds: AccountSeed[]): ChaportSandbox {
  const state = createSandboxState(seeds);
  const controls: SandboxControls = { restDelayMs: 0, restFailure: null, webhooks: { drop: 0, copies: 1, scatterMs: 0 } };
  const app = new Hono();
  const subscriptions: Subscription[] = [];
  let nextSubscription = 1;
  const webhooks: WebhookRecord[] = [];
  const sending = new Set<Promise<void>>();

  // Thin bodies, as Chaport's: ids only; the receiver reads the truth back over REST.
  state.subscribe((event) => {
    const name = WEBHOOK_EVENTS[event.kind];
    if (!name || !('chatId' in event)) return;
    for (const subscription of subscriptions.filter((item) => item.appId === event.appId && item.event === name)) {
      const record: WebhookRecord = { event: name, targetUrl: subscription.targetUrl, visitorId: event.visitorId, chatId: event.chatId, status: 'dropped' };
      if (controls.webhooks.drop > 0) {
        controls.webhooks.drop--;
        webhooks.push(record);
        continue;
      }
      const body = JSON.stringify({ link: `/api/v1/visitors/${event.visitorId}/chats`, extras: { visitorId: event.visitorId, chatId: event.chatId } });
      for (let copy = 0; copy < Math.max(1, controls.webhooks.copies); copy++) {
        const delay = controls.webhooks.scatterMs ? Math.random() * controls.webhooks.scatterMs : 0;
        const sent = (async () => {
          if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
          const entry = { ...record };
          webhooks.push(entry);
          try {
            const response = await fetch(subscription.targetUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body, signal: AbortSignal.timeout(10_000) });
            entry.status = response.status;
            await response.body?.cancel();
          } catch {
            entry.status = 'failed';
          }
        })();
        sending.add(sent);
        void sent.finally(() => sending.delete(sent));
      }
    }
  });

  app.onError((error, c) => {
    if (error instanceof SandboxError) return c.json({ error: { code: error.status, message: error.message } }, error.status);
    return c.json({ error: { code: 500, message: 'Sandbox failure' } }, 500);
  });

  // --- The embed script and the chat window ------------------------------------------------------------
  app.get('/javascripts/insert.js', async (c) => js(c, (await browserScripts()).insert!));
  app.get('/widget/show.html', (c) =>
    // Framed by any site, like Chaport's; the window itself runs under a strict CSP.
    html(c, page('show.html'), { 'Content-Security-Policy': "default-src 'self'; frame-ancestors *" }),
  );
  app.get('/widget/window.js', async (c) => js(c, (await browserScripts()).window!));
  app.get('/widget/window.css', (c) => css(c, page('window.css')));

  const who = (c: Context) => {
    const appId = c.req.query('appid') ?? '';
    const visitorId = c.req.query('visitor') ?? '';
    if (!/^[a-f\d]{24}$/i.test(appId) || !/^\w{1,64}$/.test(visitorId)) throw new SandboxError(400, 'appid and visitor are required');
    return { appId, visitorId };
  };
  app.get('/widget/api/session', (c) => {
    const { appId, visitorId } = who(c);
    const session = state.session(appId, visitorId, { url: c.req.query('page'), language: c.req.query('lang'), browser: c.req.header('User-Agent') });
    const operators = Object.fromEntries(state.operators(appId).map((operator) => [operator.id, operator.name]));
    return c.json({ teamName: session.teamName, chat: session.chat && { events: session.chat.events, unread: session.chat.unread }, operators });
  });
  app.post('/widget/api/messages', async (c) => {
    const { appId, visitorId } = who(c);
    const body = (await c.req.json().catch(() => ({}))) as { text?: unknown; page?: unknown };
    const { event, started } = state.visitorMessage(appId, visitorId, String(body.text ?? ''), typeof body.page === 'string' ? body.page : undefined);
    return c.json({ event, started }, 201);
  });
  app.post('/widget/api/read', (c) => {
    const { appId, visitorId } = who(c);
    state.markRead(appId, visitorId);
    return c.body(null, 204);
  });
  app.post('/widget/api/visitor-data', async (c) => {
    const { appId, visitorId } = who(c);
    state.setVisitorData(appId, visitorId, (await c.req.json().catch(() => ({}))) as Record<string, string>);
    return c.body(null, 204);
  });
  app.get('/widget/api/events', (c) => {
    const { appId, visitorId } = who(c);
    return live(c, (event) => event.kind === 'operator-message' && event.appId === appId && event.visitorId === visitorId);
  });

  // --- The fake REST API (base /api/v1, bearer token) -------------------------------------------------
  const rest = new Hono<{ Variables: { appId: string } }>();
  rest.use('*', async (c, next) => {
    state.countRestCall(`${c.req.method} ${c.req.path}`);
    if (controls.restDelayMs) await new Promise((resolve) => setTimeout(resolve, controls.restDelayMs));
    if (controls.restFailure) return c.json({ error: { code: controls.restFailure, message: 'Sandbox: simulated failure' } }, controls.restFailure as 500);
    c.set('appId', state.accountByToken(c.req.header('Authorization')).appId);
    return next();
  });
  rest.get('/me.json', (c) => c.json({ result: { appId: c.var.appId, teamName: state.teamName(c.var.appId) } }));
  rest.get('/operators', (c) =>
    c.json({
      result: state.operators(c.var.appId).map(({ status, ...operator }) => ({ ...operator, lastStatus: status, realStatus: status })),
    }),
  );
  rest.post('/messages', async (c) => {
    const body = (await c.req.json().catch(() => null)) as {
      visitorId?: string;
      chatEvent?: { type?: string; params?: { text?: string; operatorId?: string } };
      external_id?: string;
    } | null;
    if (!body?.visitorId) throw new SandboxError(400, 'visitorId is required');
    if (body.chatEvent?.type !== 'operator-message') throw new SandboxError(400, 'chatEvent.type must be "operator-message"');
    const { chat, event } = state.operatorMessage(c.var.appId, body.visitorId, body.chatEvent.params?.text ?? '', body.chatEvent.params?.operatorId, body.external_id);
    return c.json({ result: { chatId: chat.id, ...event } }, 201);
  });
  // Most recent first, 20 a page, with `links.next` while there are more.
  rest.get('/visitors', (c) => {
    const page = Math.max(1, Number(c.req.query('page') ?? 1) || 1);
    const all = state.visitors(c.var.appId);
    const result = all.slice((page - 1) * 20, page * 20).map(visitorView);
    return c.json({ result, links: page * 20 < all.length ? { next: `/api/v1/visitors?page=${page + 1}` } : {} });
  });
  rest.get('/visitors/:id', (c) => c.json({ result: visitorView(state.visitor(c.var.appId, c.req.param('id'))) }));
  // ONE object: the visitor's current or latest chat (older ones under links.more), with its events.
  rest.get('/visitors/:id/chats', (c) => {
    const chats = state.chatsOf(c.var.appId, c.req.param('id'));
    const latest = chats.at(-1);
    if (!latest) throw new SandboxError(404, `Visitor ${c.req.param('id')} has no chat`);
    return c.json({ result: chatView(latest, c.req.query('transcript') !== 'false'), links: chats.length > 1 ? { more: `/api/v1/visitors/${c.req.param('id')}/chats?page=2` } : {} });
  });
  rest.put('/visitors/:id/chats', async (c) => {
    const body = (await c.req.json().catch(() => null)) as { stage?: string } | null;
    if (body?.stage !== 'closed') throw new SandboxError(400, 'only {"stage": "closed"} is supported');
    state.visitor(c.var.appId, c.req.param('id'));
    const chat = state.closeChat(c.var.appId, c.req.param('id'));
    if (!chat) throw new SandboxError(404, `Visitor ${c.req.param('id')} has no chat`);
    return c.json({ result: chatView(chat, false) });
  });
  rest.get('/visitors/:id/chats/:chatId', (c) => c.json({ result: chatView(state.chat(c.var.appId, c.req.param('id'), Number(c.req.param('chatId'))), true) }));
  rest.get('/visitors/:id/chats/:chatId/events', (c) => c.json({ result: state.chat(c.var.appId, c.req.param('id'), Number(c.req.param('chatId'))).events }));
  // An operator's status from another system (a helpdesk's desk). Field names unverified: `status` is read.
  rest.post('/operators/:id/status', async (c) => {
    const { status } = (await c.req.json().catch(() => ({}))) as { status?: OperatorStatus };
    if (!status || !['online', 'offline', 'invisible'].includes(status)) throw new SandboxError(400, 'status must be online, offline or invisible');
    return c.json({ result: state.setOperatorStatus(c.var.appId, c.req.param('id'), status) });
  });
  rest.post('/operators', async (c) => c.json({ result: state.createOperator(c.var.appId, (await c.req.json().catch(() => ({}))) as Record<string, unknown>) }, 201));
  rest.get('/events/subscriptions', (c) =>
    c.json({ result: subscriptions.filter((item) => item.appId === c.var.appId).map(({ appId: _appId, ...subscription }) => subscription) }),
  );
  rest.post('/events/subscriptions', async (c) => {
    const body = (await c.req.json().catch(() => null)) as { targetUrl?: unknown; event?: unknown; essential?: unknown } | null;
    if (typeof body?.targetUrl !== 'string' || !/^https?:\/\//.test(body.targetUrl)) throw new SandboxError(400, 'targetUrl must be an http(s) URL');
    if (typeof body.event !== 'string' || !Object.values(WEBHOOK_EVENTS).includes(body.event)) throw new SandboxError(400, `event must be one of ${Object.values(WEBHOOK_EVENTS).join(', ')}`);
    const subscription: Subscription = { id: nextSubscription++, appId: c.var.appId, targetUrl: body.targetUrl, event: body.event, essential: body.essential === true };
    subscriptions.push(subscription);
    const { appId: _appId, ...view } = subscription;
    return c.json({ result: view }, 201);
  });
  rest.delete('/events/subscriptions/:id', (c) => {
    const index = subscriptions.findIndex((item) => item.appId === c.var.appId && item.id === Number(c.req.param('id')));
    if (index < 0) throw new SandboxError(404, `No subscription ${c.req.param('id')}`);
    subscriptions.splice(index, 1);
    return c.body(null, 204);
  });
  app.route('/api/v1', rest);

  // --- The operator console ---------------------------------------------------------------------------
  app.get('/console', (c) => html(c, page('console.html'), { 'Content-Security-Policy': "default-src 'self'" }));
  app.get('/console/console.js', async (c) => js(c, (await browserScripts()).console!));
  app.get('/console/console.css', (c) => css(c, page('console.css')));
  app.get('/console/api/state', (c) =>
    c.json(
      state.apps().map((appId) => ({
        appId,
        teamName: state.teamName(appId),
        operators: state.operators(appId),
        visitors: state.visitors(appId).map((visitor) => ({ ...visitor, chats: state.chatsOf(appId, visitor.id) })),
        webhooks: webhooks.slice(-10).reverse(),
      })),
    ),
  );
  app.get('/console/api/events', (c) => live(c, () => true));
  app.post('/console/api/operators/:id/status', async (c) => {
    const { status } = (await c.req.json().catch(() => ({}))) as { status?: OperatorStatus };
    if (!status || !['online', 'offline', 'invisible'].includes(status)) throw new SandboxError(400, 'status must be online, offline or invisible');
    return c.json(state.setOperatorStatus(c.req.query('appid') ?? state.apps()[0]!, c.req.param('id'), status));
  });
  app.post('/console/api/close', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { visitorId?: string };
    return c.json(state.closeChat(c.req.query('appid') ?? state.apps()[0]!, body.visitorId ?? ''));
  });
  app.post('/console/api/reply', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { visitorId?: string; text?: string; operatorId?: string };
    const { event } = state.operatorMessage(c.req.query('appid') ?? state.apps()[0]!, body.visitorId ?? '', body.text ?? '', body.operatorId);
    return c.json(event, 201);
  });

  /** Server-Sent Events of the sandbox's live events that pass `filter`, until the client goes. */
  function live(c: Context, filter: (event: LiveEvent) => boolean): Response {
    return streamSSE(c, async (stream) => {
      let unsubscribe = () => {};
      const closed = new Promise<void>((resolve) => {
        unsubscribe = state.subscribe((event) => {
          if (filter(event)) void stream.writeSSE({ data: JSON.stringify(event) }).catch(resolve);
        });
        stream.onAbort(resolve);
      });
      await stream.writeSSE({ event: 'hello', data: '{}' });
      await closed;
      unsubscribe();
    });
  }

  return {
    app,
    state,
    controls,
    webhooks,
    async webhooksSettled() {
      while (sending.size) await Promise.all([...sending]);
    },
  };
}

/**
 * A visitor as the REST API shows it: what Chaport is documented to provide (name, e-mail, phone, notes, custom
 * fields, browser, OS, location, last seen, pages). No IP address or chat language: no source says Chaport gives them.
 */
function visitorView(visitor: Visitor) {
  const { appId: _appId, language: _language, createdAt, lastSeenAt, ...rest } = visitor;
  return { ...rest, createdAt, lastSeenAt, lastVisitAt: lastSeenAt };
}

function chatView(chat: Chat, withEvents: boolean) {
  const { appId: _appId, unread: _unread, events, ...rest } = chat;
  return { ...rest, eventCount: events.length, ...(withEvents ? { events } : {}) };
}
