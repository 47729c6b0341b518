import { randomUUID } from 'node:crypto';
import type { AutomationRule, CompletedBy, ConversationChannel, ConversationStatus, MessageAuthor, RoutingRule, VisitorSnapshot } from '../../contract/helpdesk.ts';
import { WIDGET_VISITOR_FIELD } from '../../contract/api.ts';
import { enqueue } from '../jobs/commands.ts';
import { emitWebhook, type EndpointRoute } from '../outbound/emit.ts';
import { CommandError, type Tx } from '../storage/database.ts';
import { evaluateRules } from './automation.ts';
import { start, transition, type LifecycleState } from './lifecycle.ts';
import { routeChat } from '../../contract/routing.ts';
import { conversationView, messageView, type ConversationRow, type MessageRow } from './view.ts';

/** The settings a command needs, passed in: commands run in the writer thread, which has no configuration. */
export interface ConversationRules {
  defaultGroup: string;
  routing: RoutingRule[];
  idleMs: number;
  automation: AutomationRule[];
  endpoints: EndpointRoute[];
}

/** A message to add, as the caller read it (from Chaport's events, or the e-mail form). */
export interface IncomingMessage {
  /** Unique across the helpdesk: `chaport:<event id>`, `email:<widget>:<idempotency key>`. */
  externalId: string;
  author: MessageAuthor;
  authorName: string | null;
  authorRef: string | null;
  text: string;
  at: number;
}

const SUBJECT_LENGTH = 80;
/** A reply is retried with backoff for about a day before it is shown as failed. */
export const REPLY_ATTEMPTS = 25;
const subjectOf = (text: string) => {
  const line = text.trim().split('\n')[0]!.trim();
  return line.length > SUBJECT_LENGTH ? `${line.slice(0, SUBJECT_LENGTH - 1)}…` : line || '(no text)';
};

const lifecycleOf = (row: ConversationRow): LifecycleState => ({
  channel: row.channel,
  phase: row.phase,
  status: row.status,
  lastActivityAt: Number(row.last_activity_at),
  liveUntil: row.live_until === null ? null : Number(row.live_until),
  completedAt: row.completed_at === null ? null : Number(row.completed_at),
  completedBy: row.completed_by,
});

async function saveLifecycle(tx: Tx, row: ConversationRow, next: LifecycleState): Promise<void> {
  Object.assign(row, {
    phase: next.phase,
    status: next.status,
    last_activity_at: next.lastActivityAt,
    live_until: next.liveUntil,
    completed_at: next.completedAt,
    completed_by: next.completedBy,
    updated_at: tx.now,
  });
  await tx.run('UPDATE conversations SET phase = ?, status = ?, last_activity_at = ?, live_until = ?, completed_at = ?, completed_by = ?, updated_at = ? WHERE id = ?', [
    row.phase,
    row.status,
    row.last_activity_at,
    row.live_until,
    row.completed_at,
    row.completed_by,
    row.updated_at,
    row.id,
  ]);
}

/** Conversation numbers people can say aloud ("#1042"): a sequence on PostgreSQL, a counter row on SQLite. */
async function nextNumber(tx: Tx): Promise<number> {
  if (tx.dialect === 'postgres') return Number((await tx.get<{ n: number }>("SELECT nextval('conversation_numbers') AS n"))!.n);
  const row = await tx.get<{ value: number }>(
    "INSERT INTO counters (name, value) VALUES ('conversation', 1) ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
  );
  return Number(row!.value);
}

/**
 * Every change is logged (the desk's live stream replays the log from its Last-Event-ID) and published on commit
 * (which wakes the streams of every instance).
 */
async function changed(tx: Tx, id: string, change: 'created' | 'message' | 'completed' | 'updated'): Promise<void> {
  const logged = await tx.get<{ id: number }>('INSERT INTO change_log (conversation_id, change, at) VALUES (?, ?, ?) RETURNING id', [id, change, tx.now]);
  tx.publish({ topic: 'conversation', data: { id, change, seq: Number(logged!.id) } });
}

const widgetVisitorOf = (visitor: VisitorSnapshot) => {
  const token = visitor.custom[WIDGET_VISITOR_FIELD];
  return typeof token === 'string' && /^[\w-]{16,64}$/.test(token) ? token : null;
};

interface NewConversation {
  channel: ConversationChannel;
  widgetId: string | null;
  visitorKey: string;
  chaportVisitorId: string | null;
  chaportChatId: string | null;
  visitor: VisitorSnapshot;
  startPage: string | null;
  subject: string;
  at: number;
  /** For the e-mail channel: the group of the e-mail cases. Chats are routed by start page. */
  group?: string;
  /** Its first message, stored with it (the caller has checked it is not stored already). */
  first: IncomingMessage;
}

/**
 * A new conversation with its first message: three statements (a number, the conversation, the message). Emits
 * `conversation.created`, then `message.created`; runs the rules for both.
 */
async function createConversation(tx: Tx, input: NewConversation, rules: ConversationRules): Promise<ConversationRow> {
  const group = input.group ?? routeChat(input.startPage, rules.routing, rules.defaultGroup).group;
  const state = start(input.channel, input.at, rules.idleMs);
  const row: ConversationRow = {
    id: `conv_${randomUUID()}`,
    number: await nextNumber(tx),
    channel: input.channel,
    phase: state.phase,
    status: state.status,
    group_id: group,
    assignee: null,
    widget_id: input.widgetId,
    subject: input.subject,
    visitor_key: input.visitorKey,
    chaport_visitor_id: input.chaportVisitorId,
    chaport_chat_id: input.chaportChatId,
    visitor: JSON.stringify(input.visitor),
    start_page: input.startPage,
    created_at: input.at,
    last_activity_at: state.lastActivityAt,
    live_until: state.liveUntil,
    completed_at: null,
    completed_by: null,
    message_count: 0,
    last_message: null,
    updated_at: tx.now,
    widget_visitor: widgetVisitorOf(input.visitor),
    last_reply_at: null,
    unanswered: 0,
  };
  const first = messageRow(row, input.first);
  afterMessage(row, first, rules);
  await tx.run(
    `INSERT INTO conversations (id, number, channel, phase, status, group_id, assignee, widget_id, subject, visitor_key, chaport_visitor_id, chaport_chat_id,
       visitor, start_page, created_at, last_activity_at, live_until, completed_at, completed_by, message_count, last_message, updated_at, widget_visitor,
       last_reply_at, unanswered)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [row.id, row.number, row.channel, row.phase, row.status, row.group_id, row.assignee, row.widget_id, row.subject, row.visitor_key, row.chaport_visitor_id,
      row.chaport_chat_id, row.visitor, row.start_page, row.created_at, row.last_activity_at, row.live_until, row.completed_at, row.completed_by,
      row.message_count, row.last_message, row.updated_at, row.widget_visitor, row.last_reply_at, row.unanswered],
  );
  await insertMessage(tx, first);
  await changed(tx, row.id, 'created');
  await emitWebhook(tx, rules.endpoints, 'conversation.created', { conversation: conversationView(row) });
  await emitWebhook(tx, rules.endpoints, 'message.created', { conversation: conversationView(row), message: messageView(first) });
  await automate(tx, row, 'conversation.created', null, rules);
  if (first.author === 'visitor') await automate(tx, row, 'message.created', first.text, rules);
  return row;
}

function messageRow(conversation: ConversationRow, message: IncomingMessage): MessageRow {
  return {
    id: `cmsg_${randomUUID()}`,
    conversation_id: conversation.id,
    seq: conversation.message_count + 1,
    author: message.author,
    author_name: message.authorName,
    author_ref: message.authorRef,
    text: message.text,
    external_id: message.externalId,
    delivery: null,
    created_at: message.at,
  };
}

/** Inserts a message unless its external id is already stored; true if it was new. */
async function insertMessage(tx: Tx, row: MessageRow): Promise<boolean> {
  const inserted = await tx.get(
    `INSERT INTO conversation_messages (id, conversation_id, seq, author, author_name, author_ref, text, external_id, delivery, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (external_id) DO NOTHING RETURNING id`,
    [row.id, row.conversation_id, row.seq, row.author, row.author_name, row.author_ref, row.text, row.external_id, row.delivery, row.created_at],
  );
  return !!inserted;
}

/** The conversation's counters, last message and (for a chat) silence clock, as a new message moves them. */
function afterMessage(conversation: ConversationRow, row: MessageRow, rules: ConversationRules): void {
  conversation.message_count = row.seq;
  conversation.last_message = JSON.stringify({ author: row.author, text: row.text.slice(0, 200), createdAt: new Date(Number(row.created_at)).toISOString() });
  if (row.author === 'visitor') conversation.unanswered += 1;
  if (row.author === 'agent' || row.author === 'operator') {
    conversation.unanswered = 0;
    conversation.last_reply_at = Math.max(Number(conversation.last_reply_at ?? 0), Number(row.created_at));
  }
  if (conversation.channel === 'online_chat') {
    const next = transition(lifecycleOf(conversation), { type: 'activity', at: Number(row.created_at), idleMs: rules.idleMs });
    Object.assign(conversation, { status: next.status, last_activity_at: next.lastActivityAt, live_until: next.liveUntil });
  }
}

/** Adds a message unless its external id is already stored; returns it, or null for a repeat. */
async function appendMessage(tx: Tx, conversation: ConversationRow, message: IncomingMessage, rules: ConversationRules): Promise<MessageRow | null> {
  const row = messageRow(conversation, message);
  if (!(await insertMessage(tx, row))) return null;
  await messageAdded(tx, conversation, row, rules);
  return row;
}

/** A message is stored: the conversation's counters, status and clocks move in one UPDATE, and the change is told. */
async function messageAdded(tx: Tx, conversation: ConversationRow, row: MessageRow, rules: ConversationRules): Promise<void> {
  afterMessage(conversation, row, rules);
  conversation.updated_at = tx.now;
  await tx.run(
    'UPDATE conversations SET message_count = ?, last_message = ?, status = ?, last_activity_at = ?, live_until = ?, unanswered = ?, last_reply_at = ?, updated_at = ? WHERE id = ?',
    [
      conversation.message_count,
      conversation.last_message,
      conversation.status,
      conversation.last_activity_at,
      conversation.live_until,
      conversation.unanswered,
      conversation.last_reply_at,
      conversation.updated_at,
      conversation.id,
    ],
  );
  await changed(tx, conversation.id, 'message');
  await emitWebhook(tx, rules.endpoints, 'message.created', { conversation: conversationView(conversation), message: messageView(row) });
}

/**
 * Completes a live chat; it joins the case list. When an agent or the silence completes it, Chaport's chat is closed
 * too (by a job), so the visitor's next message starts a new chat on both sides. Not when a rule does: the visitor is
 * still talking, and the rest of the chat belongs to the same case.
 */
async function completeConversation(tx: Tx, conversation: ConversationRow, by: CompletedBy, rules: ConversationRules, status?: ConversationStatus): Promise<void> {
  await saveLifecycle(tx, conversation, transition(lifecycleOf(conversation), { type: 'complete', by, at: tx.now, ...(status ? { status } : {}) }));
  if (conversation.chaport_visitor_id && (by === 'agent' || by === 'idle'))
    await enqueue(tx, 'chaport.closeChat', { visitorId: conversation.chaport_visitor_id, chatId: conversation.chaport_chat_id }, { maxAttempts: 20 });
  await changed(tx, conversation.id, 'completed');
  await emitWebhook(tx, rules.endpoints, 'conversation.completed', { conversation: conversationView(conversation) });
}

/** Runs the automation rules for this moment and applies what they say. */
async function automate(tx: Tx, conversation: ConversationRow, on: AutomationRule['on'], messageText: string | null, rules: ConversationRules): Promise<void> {
  const actions = evaluateRules(rules.automation, on, { channel: conversation.channel, group: conversation.group_id, startPage: conversation.start_page, messageText });
  for (const { action } of actions) {
    if (action.type === 'setGroup') conversation.group_id = action.group;
    else if (action.type === 'assign') conversation.assignee = action.agent;
    else if (action.type === 'completeChat' && conversation.phase === 'live') await completeConversation(tx, conversation, 'rule', rules, action.status);
  }
  if (actions.length) {
    await tx.run('UPDATE conversations SET group_id = ?, assignee = ?, updated_at = ? WHERE id = ?', [conversation.group_id, conversation.assignee, tx.now, conversation.id]);
    await changed(tx, conversation.id, 'updated');
  }
}

async function refreshVisitor(tx: Tx, conversation: ConversationRow, visitor: VisitorSnapshot): Promise<void> {
  const json = JSON.stringify(visitor);
  if (json === conversation.visitor) return;
  conversation.visitor = json;
  conversation.widget_visitor = widgetVisitorOf(visitor) ?? conversation.widget_visitor;
  await tx.run('UPDATE conversations SET visitor = ?, widget_visitor = ?, updated_at = ? WHERE id = ?', [json, conversation.widget_visitor, tx.now, conversation.id]);
  await changed(tx, conversation.id, 'updated');
}

export interface ChaportChatState {
  visitorId: string;
  visitor: VisitorSnapshot;
  chat: { id: string; closed: boolean; startPage: string | null };
  /** The chat's messages, in Chaport's order. */
  messages: IncomingMessage[];
}

export interface SyncResult {
  created: string[];
  added: number;
  completed: string[];
}

/**
 * Finds the agent reply a Chaport operator message is (Chaport's answer to our `POST /messages` may not carry the
 * event's id, and its webhook can arrive before we record the id): the oldest reply of this visitor's conversations,
 * not yet linked to a Chaport event, with the same text.
 */
async function linkSentReply(tx: Tx, visitorKey: string, message: IncomingMessage): Promise<boolean> {
  const reply = await tx.get<{ id: string; conversation_id: string }>(
    `SELECT m.id, m.conversation_id FROM conversation_messages m JOIN conversations c ON c.id = m.conversation_id
     WHERE c.visitor_key = ? AND m.author = 'agent' AND m.external_id LIKE 'agent:%' AND m.text = ? ORDER BY m.created_at LIMIT 1`,
    [visitorKey, message.text],
  );
  if (!reply) return false;
  await tx.run("UPDATE conversation_messages SET external_id = ?, delivery = 'sent' WHERE id = ?", [message.externalId, reply.id]);
  await changed(tx, reply.conversation_id, 'message');
  return true;
}

async function setDelivery(tx: Tx, messageId: string, delivery: 'sending' | 'sent' | 'failed', externalId?: string): Promise<MessageRow> {
  const row = await tx.get<MessageRow>('SELECT * FROM conversation_messages WHERE id = ?', [messageId]);
  if (!row) throw new CommandError('not_found', `No message ${messageId}`);
  // Linked already (the sync saw Chaport's event first): keep that link.
  const external = externalId && row.external_id?.startsWith('agent:') ? externalId : row.external_id;
  await tx.run('UPDATE conversation_messages SET delivery = ?, external_id = ? WHERE id = ?', [delivery, external, messageId]);
  await changed(tx, row.conversation_id, 'message');
  return { ...row, delivery, external_id: external };
}

export const conversationCommands = {
  /**
   * Brings the helpdesk up to date with one Chaport chat, as read over REST. Idempotent — each Chaport event is
   * stored once, by its id — so duplicate, late and out-of-order webhooks all end in the same state, in Chaport's
   * order. Messages go to the visitor's live chat; with none (or when Chaport moved on to another chat, or the last
   * chat was completed), a new live chat starts, routed by its start page.
   */
  async 'conversations.syncChaport'(tx: Tx, { state, rules }: { state: ChaportChatState; rules: ConversationRules }): Promise<SyncResult> {
    const visitorKey = `chaport:${state.visitorId}`;
    await tx.lock(visitorKey);
    const result: SyncResult = { created: [], added: 0, completed: [] };
    const known = new Set<string>();
    for (let index = 0; index < state.messages.length; index += 500) {
      const ids = state.messages.slice(index, index + 500).map((message) => message.externalId);
      const rows = await tx.all<{ external_id: string }>(`SELECT external_id FROM conversation_messages WHERE external_id IN (${ids.map(() => '?').join(', ')})`, ids);
      for (const row of rows) known.add(row.external_id);
    }
    const fresh = state.messages.filter((message) => !known.has(message.externalId));

    let live = (await tx.get<ConversationRow>("SELECT * FROM conversations WHERE visitor_key = ? AND phase = 'live' ORDER BY created_at DESC LIMIT 1", [visitorKey])) ?? null;
    if (live && live.chaport_chat_id !== state.chat.id && fresh.length) {
      // Chaport moved on to another chat: the one we had is over.
      await completeConversation(tx, live, 'chaport', rules);
      result.completed.push(live.id);
      live = null;
    }
    // A chat a rule completed at once stays one case while the visitor goes on writing in the same Chaport chat.
    let ruled = live
      ? null
      : ((await tx.get<ConversationRow>("SELECT * FROM conversations WHERE visitor_key = ? AND chaport_chat_id = ? AND completed_by = 'rule' ORDER BY created_at DESC LIMIT 1", [visitorKey, state.chat.id])) ?? null);

    for (const message of fresh) {
      // An operator message we sent ourselves (an agent's reply from the desk): link it rather than store it twice.
      if (message.author === 'operator' && (await linkSentReply(tx, visitorKey, message))) continue;
      let target = live ?? ruled;
      if (!target) {
        target = live = await createConversation(
          tx,
          {
            channel: 'online_chat',
            widgetId: null,
            visitorKey,
            chaportVisitorId: state.visitorId,
            chaportChatId: state.chat.id,
            visitor: state.visitor,
            startPage: state.chat.startPage ?? state.visitor.startPage,
            subject: subjectOf(message.text),
            at: message.at,
            first: message,
          },
          rules,
        );
        result.created.push(target.id);
        result.added++;
      } else {
        if (await appendMessage(tx, target, message, rules)) result.added++;
        if (message.author === 'visitor') await automate(tx, target, 'message.created', message.text, rules);
      }
      if (target.phase !== 'live' && target === live) {
        // A rule completed it: the rest of this Chaport chat stays with it.
        ruled = live;
        live = null;
      }
    }
    if (live) await refreshVisitor(tx, live, state.visitor);
    if (live && state.chat.closed && live.chaport_chat_id === state.chat.id) {
      await completeConversation(tx, live, 'chaport', rules);
      result.completed.push(live.id);
    }
    return result;
  },

  /** An e-mail-form message becomes a case on the `email` channel (called by `messages.save`, in its transaction). */
  async 'conversations.fromEmail'(tx: Tx, args: { widgetId: string; messageId: string; idempotencyKey: string; name: string | null; email: string; text: string; page: string | null; rules: ConversationRules }): Promise<string> {
    return conversationFromEmail(tx, args);
  },

  /** An agent (or the API) completes a live chat. */
  async 'conversations.complete'(tx: Tx, { id, status, rules }: { id: string; status: ConversationStatus; rules: ConversationRules }): Promise<void> {
    const conversation = await tx.get<ConversationRow>('SELECT * FROM conversations WHERE id = ?', [id]);
    if (!conversation) throw new CommandError('not_found', `No conversation ${id}`);
    if (conversation.phase !== 'live') throw new CommandError('not_live', `Conversation #${conversation.number} is not a live chat: it was completed already`);
    await completeConversation(tx, conversation, 'agent', rules, status);
  },

  /**
   * An agent's reply: stored at once (`sending`), with the job that sends it through Chaport as the agent's operator,
   * in one transaction — so it is never lost, and the job's external id makes it never sent twice.
   */
  async 'conversations.reply'(tx: Tx, { conversationId, staff, text, rules }: { conversationId: string; staff: { id: string; name: string }; text: string; rules: ConversationRules }) {
    const conversation = await tx.get<ConversationRow>('SELECT * FROM conversations WHERE id = ?', [conversationId]);
    if (!conversation) throw new CommandError('not_found', `No conversation ${conversationId}`);
    if (conversation.channel !== 'online_chat' || !conversation.chaport_visitor_id)
      throw new CommandError('not_chat', 'Replies reach the visitor through Chaport: this conversation is an e-mail case, and e-mail replies are not sent from here yet');
    const row = messageRow(conversation, { externalId: `agent:${randomUUID()}`, author: 'agent', authorName: staff.name, authorRef: staff.id, text, at: tx.now });
    row.delivery = 'sending';
    await insertMessage(tx, row);
    // Its status moves as any message's does (a reply is activity: a live chat's silence clock restarts).
    await messageAdded(tx, conversation, row, rules);
    await enqueue(tx, 'chaport.sendReply', { messageId: row.id }, { maxAttempts: REPLY_ATTEMPTS });
    return messageView(row);
  },

  /** Chaport took the reply; its event id, when known, links the message so the sync never stores it again. */
  async 'conversations.replySent'(tx: Tx, { messageId, chaportEventId }: { messageId: string; chaportEventId: string | null }) {
    return messageView(await setDelivery(tx, messageId, 'sent', chaportEventId ? `chaport:${chaportEventId}` : undefined));
  },
  async 'conversations.replyFailed'(tx: Tx, { messageId }: { messageId: string }) {
    return messageView(await setDelivery(tx, messageId, 'failed'));
  },
  /** The agent asks to try a failed reply again. */
  async 'conversations.retryReply'(tx: Tx, { messageId }: { messageId: string }) {
    const row = await tx.get<MessageRow>('SELECT * FROM conversation_messages WHERE id = ?', [messageId]);
    if (!row || row.author !== 'agent') throw new CommandError('not_found', `No reply ${messageId}`);
    if (row.delivery !== 'failed') throw new CommandError('not_failed', 'Only a failed reply can be sent again');
    await enqueue(tx, 'chaport.sendReply', { messageId }, { maxAttempts: REPLY_ATTEMPTS });
    return messageView(await setDelivery(tx, messageId, 'sending'));
  },

  /** The live-stream history desks can resume from: a day is plenty (an older Last-Event-ID gets a reset). */
  async 'changes.prune'(tx: Tx, { before }: { before: number }): Promise<number> {
    return (await tx.run('DELETE FROM change_log WHERE at < ?', [before])).changes;
  },

  /** Live chats silent past their deadline are completed (`idle`), a batch at a time. */
  async 'conversations.completeIdle'(tx: Tx, { limit, rules }: { limit: number; rules: ConversationRules }): Promise<string[]> {
    const due = await tx.all<ConversationRow>("SELECT * FROM conversations WHERE phase = 'live' AND live_until <= ? ORDER BY live_until LIMIT ?", [tx.now, limit]);
    for (const conversation of due) await completeConversation(tx, conversation, 'idle', rules);
    return due.map((conversation) => conversation.id);
  },
};

export async function conversationFromEmail(
  tx: Tx,
  { widgetId, messageId, idempotencyKey, name, email, text, page, rules }: { widgetId: string; messageId: string; idempotencyKey: string; name: string | null; email: string; text: string; page: string | null; rules: ConversationRules },
): Promise<string> {
  const visitor: VisitorSnapshot = {
    chaportVisitorId: null,
    name,
    email,
    phone: null,
    lastVisitAt: null,
    currentPage: page,
    startPage: page,
    browser: null,
    ip: null,
    language: null,
    os: null,
    location: null,
    custom: {},
  };
  const conversation = await createConversation(
    tx,
    {
      channel: 'email',
      widgetId,
      visitorKey: `email:${email.toLowerCase()}`,
      chaportVisitorId: null,
      chaportChatId: null,
      visitor,
      startPage: page,
      subject: subjectOf(text),
      at: tx.now,
      group: rules.defaultGroup,
      first: { externalId: `email:${widgetId}:${idempotencyKey}`, author: 'visitor', authorName: name ?? email, authorRef: messageId, text, at: tx.now },
    },
    rules,
  );
  return conversation.id;
}
