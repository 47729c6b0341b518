import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import type { ConfigSource } from '../config/source.ts';
import type { ChaportConnection } from '../config/helpdesk.ts';
import { REPLY_ATTEMPTS, type ChaportChatState, type IncomingMessage } from '../conversations/commands.ts';
import type { ConversationRow, MessageRow } from '../conversations/view.ts';
import { getStaff } from '../staff/staff.ts';
import { rulesOf } from '../conversations/rules.ts';
import { ApiError } from '../http/errors.ts';
import { readJson } from '../http/json-body.ts';
import type { JobHandlers } from '../jobs/runner.ts';
import type { Logger } from '../log.ts';
import { StorageUnavailableError } from '../storage/database.ts';
import type { AppDatabase } from '../storage/open.ts';
import { getSetting } from '../storage/settings-commands.ts';
import { ChaportRequestError, createChaportClient, type ChaportChat, type ChaportClient, type ChaportOperator } from './client.ts';
import { authorOf, eventExternalId, eventOperator, eventText, isClosed, timeOf, visitorSnapshot, type ChaportChatEvent } from './shapes.ts';

/** A reply that cannot be sent however often it is tried (no operator mapped, Chaport refused it). */
class ReplyRefused extends Error {}

/**
 * The Chaport connection of the helpdesk: events come in by webhook (thin, unsigned: only ids are taken from them),
 * are stored as jobs before they are acknowledged, and each job reads the truth back over REST. A periodic
 * reconciliation repairs webhooks that never came; an idle sweep completes silent chats.
 */

/** The events subscribed to. `chat.newEvent.operatorMessage` is a guess at an undocumented name: nothing relies on it. */
export const SUBSCRIBED_EVENTS = ['chat.started', 'chat.finished', 'chat.newEvent.visitorMessage', 'chat.newEvent.operatorMessage'] as const;

const SECRET_KEY = 'chaport.webhookSecret';
const STATUS_KEY = 'chaport.status';
const RECONCILED_KEY = 'chaport.reconciledUntil';
/** A visitor seen this long before the last reconciliation is looked at again, for clocks and slow pages. */
const RECONCILE_OVERLAP_MS = 5 * 60_000;
const MAX_RECONCILE_PAGES = 20;
/** How long a webhook's sync waits for the other events Chaport sends about the same moment. */
const SYNC_DEBOUNCE_MS = 250;

export interface ConnectionStatus {
  checkedAt: string;
  ok: boolean;
  /** Why not, in one line (never the token). */
  error: string | null;
  account: string | null;
  subscribed: string[];
  webhookBase: string | null;
  lastEventAt: string | null;
}

export interface ChaportIntegration {
  /** `POST /v1/chaport/webhooks/{secret}/{event}`. */
  receive(c: Context): Promise<Response>;
  jobs: JobHandlers;
  /** The connection's state, as last checked. */
  status(): Promise<ConnectionStatus | null>;
  /** Connects now (the settings page's "Connect"): checks the token, subscribes to what is missing; null without an integration. */
  connect(): Promise<ConnectionStatus | null>;
  /** Checks the token now (the command line does at start, to refuse a token Chaport refuses). */
  checkToken(): Promise<{ ok: true } | { ok: false; refused: boolean; error: string }>;
  /** Chaport's operators, for mapping staff to them. */
  operators(): Promise<ChaportOperator[]>;
}

export function createChaportIntegration({ db, config, log, fetch: fetchImpl = fetch, now = Date.now }: { db: AppDatabase; config: ConfigSource; log: Logger; fetch?: typeof fetch; now?: () => number }): ChaportIntegration {
  let secret: string | undefined;
  let lastEventAt: number | null = null;
  let lastEventSaved = 0;
  const clients = new Map<string, ChaportClient>();

  const connection = (): ChaportConnection | null => config.helpdesk().chaport;
  function client(current: ChaportConnection): ChaportClient {
    const key = `${current.apiUrl} ${current.token}`;
    let found = clients.get(key);
    if (!found) {
      clients.clear();
      clients.set(key, (found = createChaportClient({ apiUrl: current.apiUrl, token: current.token, fetch: fetchImpl, now })));
    }
    return found;
  }
  /** 256 random bits, made once for the whole deployment (every instance reads the same from the database). */
  const webhookSecret = async () => (secret ??= await db.write('settings.ensure', { key: SECRET_KEY, candidate: randomBytes(32).toString('hex') }));
  const webhookBase = async () => {
    const { publicUrl } = config.helpdesk();
    return publicUrl ? `${publicUrl}/v1/chaport/webhooks/${await webhookSecret()}` : null;
  };

  async function saveStatus(status: Omit<ConnectionStatus, 'checkedAt' | 'lastEventAt'>): Promise<ConnectionStatus> {
    const full: ConnectionStatus = { ...status, checkedAt: new Date(now()).toISOString(), lastEventAt: lastEventAt === null ? null : new Date(lastEventAt).toISOString() };
    await db.write('settings.put', { key: STATUS_KEY, value: JSON.stringify(full) });
    return full;
  }

  /** Reads one chat over REST and brings its conversation up to date. */
  async function sync(visitorId: string, chatId: string | null, signal: AbortSignal): Promise<void> {
    const current = connection();
    if (!current) return; // disconnected since: nothing to do
    const api = client(current);
    const [visitor, chat] = await Promise.all([api.visitor(visitorId), chatId ? api.chat(visitorId, chatId) : api.latestChat(visitorId)]);
    if (signal.aborted || !chat) return;
    const operators = new Map((await api.operators().catch(() => [])).map((operator) => [operator.id, operator.name]));
    await db.write('conversations.syncChaport', { state: chatState(visitorId, visitor, chat, operators, now()), rules: rulesOf(config.helpdesk()) });
  }

  const transient = (error: unknown) => error instanceof StorageUnavailableError || (error instanceof ChaportRequestError && error.transient);

  const jobs: JobHandlers = {
    'chaport.sync': {
      // Chaport slow or down delays a chat; it never drops it: about two days of retries.
      maxAttempts: 60,
      async run({ visitorId, chatId }: { visitorId: string; chatId: string | null }, { signal }) {
        try {
          await sync(visitorId, chatId, signal);
        } catch (error) {
          if (!transient(error)) log.warn('chaport.sync_refused', { visitorId, chatId, error: (error as Error).message });
          throw error;
        }
      },
    },
    'chaport.connect': {
      // Once at start and hourly on one instance: the token still works, the subscriptions are all there.
      everyMs: 3_600_000,
      async run() {
        const status = await connectNow();
        if (status && !status.ok) throw new Error(status.error ?? 'Chaport refused');
      },
    },
    'chaport.reconcile': {
      everyMs: () => (connection()?.settings.reconcileMinutes ?? 5) * 60_000,
      async run(_payload, { signal }) {
        const current = connection();
        if (!current) return;
        const started = now();
        const since = Number((await db.read((q) => getSetting(q, RECONCILED_KEY))) ?? 0) - RECONCILE_OVERLAP_MS;
        const api = client(current);
        let looked = 0;
        for (let page = 1; page <= MAX_RECONCILE_PAGES && !signal.aborted; page++) {
          const { visitors, more } = await api.visitors(page);
          const recent = visitors.filter((visitor) => timeOf(visitor.lastVisitAt ?? visitor.lastSeenAt ?? visitor.lastSeen, started) >= since);
          for (const visitor of recent)
            await db.write('jobs.enqueue', { kind: 'chaport.sync', payload: { visitorId: String(visitor.id), chatId: null }, options: { coalesceKey: `chaport.sync:${visitor.id}:latest`, maxAttempts: 60 } });
          looked += recent.length;
          // Most recent first: once a page holds anyone older than the window, the rest are older still.
          if (!more || recent.length < visitors.length) break;
        }
        await db.write('settings.put', { key: RECONCILED_KEY, value: String(started) });
        if (looked) log.info('chaport.reconciled', { visitors: looked });
      },
    },
    'conversations.idle': {
      everyMs: 30_000,
      async run() {
        for (;;) {
          const completed = await db.write('conversations.completeIdle', { limit: 100, rules: rulesOf(config.helpdesk()) });
          if (completed.length) log.info('conversations.completed_idle', { count: completed.length });
          if (completed.length < 100) return;
        }
      },
    },
    'chaport.sendReply': {
      maxAttempts: REPLY_ATTEMPTS,
      // A reply should reach the visitor soon or be shown as failed: retries start at 2 s, not 5 s.
      backoffMs: (failures, random) => Math.min(3_600_000, 2000 * 2 ** Math.max(0, failures - 1)) * (0.5 + random() / 2),
      async run({ messageId }: { messageId: string }, { job }) {
        const last = job.attempts >= REPLY_ATTEMPTS;
        try {
          await sendReply(messageId, job.id);
        } catch (error) {
          const permanent = error instanceof ReplyRefused;
          if (permanent || last) await db.write('conversations.replyFailed', { messageId });
          if (permanent) {
            log.warn('chaport.reply_refused', { messageId, reason: error.message });
            return; // nothing to retry: the agent sees "failed", with the reason in the log
          }
          throw error;
        }
      },
    },
    'chaport.operatorStatus': {
      maxAttempts: 5,
      async run({ staffId }: { staffId: string }) {
        const current = connection();
        if (!current?.settings.syncAgentStatus) return;
        const staff = await db.read((q) => getStaff(q, staffId));
        if (!staff || staff.chaport.mapping !== 'operator' || !staff.chaport.operatorId) return;
        await client(current).setOperatorStatus(staff.chaport.operatorId, staff.status === 'online' ? 'online' : 'offline');
      },
    },
    'chaport.closeChat': {
      maxAttempts: 20,
      async run({ visitorId, chatId }: { visitorId: string; chatId: string | null }) {
        const current = connection();
        if (!current) return;
        const api = client(current);
        // Chaport closes the visitor's *latest* chat: if the visitor has started another since, that one stays open.
        const latest = await api.latestChat(visitorId);
        if (!latest || isClosed(latest) || (chatId && String(latest.id) !== chatId)) return;
        await api.closeChat(visitorId);
      },
    },
  };

  /** Checks the token and makes sure every subscription is there; the status is kept for the settings page. */
  async function connectNow(): Promise<ConnectionStatus | null> {
    const current = connection();
    if (!current) return null;
    const api = client(current);
    const base = await webhookBase();
    try {
      const me = await api.me();
      const subscribed: string[] = [];
      if (base) {
        // Listed first, added only where missing: restarts and several instances never pile up duplicates.
        const existing = await api.subscriptions();
        for (const event of SUBSCRIBED_EVENTS) {
          const targetUrl = `${base}/${event}`;
          if (!existing.some((item) => item.event === event && item.targetUrl === targetUrl)) await api.subscribe(targetUrl, event);
          subscribed.push(event);
        }
      }
      const account = typeof me.appId === 'string' ? me.appId : typeof me.teamName === 'string' ? me.teamName : null;
      const status = await saveStatus({ ok: true, error: null, account, subscribed, webhookBase: base && base.replace(/\/[0-9a-f]{64}$/, '/…') });
      log.info('chaport.connected', { account, subscribed });
      return status;
    } catch (error) {
      log.warn('chaport.connect_failed', { error: (error as Error).message });
      return saveStatus({ ok: false, error: (error as Error).message, account: null, subscribed: [], webhookBase: null });
    }
  }

  /** Sends one stored reply as the agent's operator, creating that operator first if the mapping says so. */
  async function sendReply(messageId: string, jobId: string): Promise<void> {
    const current = connection();
    if (!current) throw new ReplyRefused('The Chaport integration is not configured');
    const found = await db.read(async (q) => {
      const message = await q.get<MessageRow>('SELECT * FROM conversation_messages WHERE id = ?', [messageId]);
      const conversation = message && (await q.get<ConversationRow>('SELECT * FROM conversations WHERE id = ?', [message.conversation_id]));
      return message && conversation ? { message, conversation } : null;
    });
    if (!found) return; // gone: nothing to send
    const { message, conversation } = found;
    if (message.delivery === 'sent' || message.external_id?.startsWith('chaport:')) return; // sent already, by an earlier try
    if (!conversation.chaport_visitor_id) throw new ReplyRefused('The conversation has no Chaport visitor');
    const api = client(current);
    const staff = message.author_ref ? await db.read((q) => getStaff(q, message.author_ref!)) : null;
    if (!staff) throw new ReplyRefused(`The reply's author ${message.author_ref} is not a staff member`);
    let operatorId = staff.chaport.mapping === 'operator' ? staff.chaport.operatorId : null;
    if (staff.chaport.mapping === 'none') throw new ReplyRefused(`${staff.email} is not mapped to a Chaport operator`);
    if (staff.chaport.mapping === 'create') {
      // One instance creates the operator; another sending for the same person at once waits and tries again.
      if (!(await db.write('leases.acquire', { name: `chaport.createOperator:${staff.id}`, holder: jobId, ttlMs: 60_000 }))) throw new Error('Another instance is creating the operator');
      try {
        const fresh = await db.read((q) => getStaff(q, staff.id));
        operatorId = fresh?.chaport.mapping === 'operator' ? fresh.chaport.operatorId : null;
        if (!operatorId) {
          operatorId = (await api.createOperator(staff.name)).id;
          await db.write('staff.mapOperator', { id: staff.id, operatorId });
          log.info('chaport.operator_created', { staff: staff.id, operatorId });
        }
      } finally {
        await db.write('leases.release', { name: `chaport.createOperator:${staff.id}`, holder: jobId });
      }
    }
    if (!operatorId) throw new ReplyRefused(`${staff.email} has no Chaport operator`);
    try {
      // The message's own id travels as the external id: a retry after a lost answer is the same message to Chaport.
      const { eventId } = await api.sendOperatorMessage(conversation.chaport_visitor_id, message.text, operatorId, message.id);
      await db.write('conversations.replySent', { messageId, chaportEventId: eventId });
    } catch (error) {
      if (error instanceof ChaportRequestError && !error.transient && error.status !== 401) throw new ReplyRefused(error.message);
      throw error;
    }
  }

  return {
    jobs,
    async receive(c) {
      const expected = await webhookSecret();
      const given = Buffer.from(c.req.param('secret') ?? '');
      // Constant time: the path secret is the only proof a webhook comes from Chaport (its bodies are unsigned).
      if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) throw new ApiError(404, 'not_found', `No route for ${c.req.method} ${c.req.path.replace(/webhooks\/[^/]+/, 'webhooks/…')}`);
      const event = c.req.param('event') ?? '';
      const body = (await readJson(c, 16 * 1024)) as { extras?: { visitorId?: unknown; chatId?: unknown } } | null;
      const visitorId = body?.extras?.visitorId;
      const chatId = body?.extras?.chatId;
      if ((typeof visitorId !== 'string' && typeof visitorId !== 'number') || !/^[\w-]{1,100}$/.test(String(visitorId)))
        throw new ApiError(400, 'invalid_body', 'extras.visitorId: is required', 'extras.visitorId');
      if (chatId !== undefined && chatId !== null && !/^[\w-]{1,100}$/.test(String(chatId))) throw new ApiError(400, 'invalid_body', 'extras.chatId: must be an id', 'extras.chatId');
      const chat = chatId === undefined || chatId === null ? null : String(chatId);
      // Stored before it is acknowledged: from here a crash loses nothing. Repeats of a waiting sync are one job —
      // and it waits a moment first, because Chaport sends several events for one thing (chat.started with the
      // first message).
      await db.write('jobs.enqueue', {
        kind: 'chaport.sync',
        payload: { visitorId: String(visitorId), chatId: chat, event },
        options: { coalesceKey: `chaport.sync:${visitorId}:${chat ?? 'latest'}`, maxAttempts: 60, runAt: now() + SYNC_DEBOUNCE_MS },
      });
      lastEventAt = now();
      if (lastEventAt - lastEventSaved > 10_000) {
        lastEventSaved = lastEventAt;
        void (async () => {
          const status = await db.read((q) => getSetting(q, STATUS_KEY)).catch(() => null);
          if (status) await db.write('settings.put', { key: STATUS_KEY, value: JSON.stringify({ ...JSON.parse(status), lastEventAt: new Date(lastEventAt!).toISOString() }) });
        })().catch(() => {});
      }
      c.header('Cache-Control', 'no-store');
      return c.json({ accepted: true }, 202);
    },
    connect: connectNow,
    async status() {
      const stored = await db.read((q) => getSetting(q, STATUS_KEY));
      return stored ? (JSON.parse(stored) as ConnectionStatus) : null;
    },
    async operators() {
      const current = connection();
      return current ? client(current).operators() : [];
    },
    async checkToken() {
      const current = connection();
      if (!current) return { ok: true };
      try {
        await client(current).me();
        return { ok: true };
      } catch (error) {
        const refused = error instanceof ChaportRequestError && (error.status === 401 || error.status === 403);
        return { ok: false, refused, error: (error as Error).message };
      }
    },
  };
}

/** Chaport's chat, as the conversation command takes it: messages only, authors named, times read. */
export function chatState(visitorId: string, visitor: Record<string, unknown>, chat: ChaportChat, operators: ReadonlyMap<string, string>, now: number): ChaportChatState {
  const messages: IncomingMessage[] = [];
  for (const event of (chat.events ?? []) as ChaportChatEvent[]) {
    const author = authorOf(event);
    if (!author) continue;
    const operatorId = eventOperator(event);
    messages.push({
      externalId: `chaport:${event.id}`,
      author,
      authorName: author === 'operator' ? (operatorId && operators.get(operatorId)) ?? null : author === 'visitor' ? (typeof visitor.name === 'string' ? visitor.name : null) : null,
      authorRef: author === 'operator' ? operatorId : (eventExternalId(event) ?? null),
      text: eventText(event),
      at: timeOf(event.createdAt, now),
    });
  }
  const snapshot = visitorSnapshot(visitor, chat as Record<string, unknown>);
  return { visitorId, visitor: snapshot, chat: { id: String(chat.id), closed: isClosed(chat), startPage: snapshot.startPage }, messages };
}
