import { randomUUID } from 'node:crypto';

/**
 * The Chaport sandbox's world: accounts (an app id and its API token), operators with statuses, visitors,
 * their chats and chat events. Shapes follow Chaport's REST API as far as it is known
 * (shared/chaport-protocol.md); everything lives in memory for the life of the process.
 */

export type OperatorStatus = 'online' | 'offline' | 'invisible';

export interface Operator {
  id: string;
  email: string;
  name: string;
  language: string;
  jobTitle: string;
  role: 'admin' | 'operator';
  lastLoginAt: string;
  lastActivityAt: string;
  image: string | null;
  status: OperatorStatus;
}

export interface Visitor {
  id: string;
  appId: string;
  name?: string;
  email?: string;
  phone?: string;
  notes?: string;
  custom?: Record<string, unknown>;
  language?: string;
  browser?: string;
  startPage?: string;
  currentPage?: string;
  createdAt: string;
  lastSeenAt: string;
}

export interface ChatEvent {
  id: string;
  type: 'visitor-message' | 'operator-message';
  params: { text: string; operatorId?: string };
  createdAt: string;
  externalId?: string;
}

export interface Chat {
  id: string;
  visitorId: string;
  appId: string;
  /** Chaport's chat stages: initiated (visitor wrote), responded (an operator answered), closed. */
  stage: 'initiated' | 'responded' | 'closed';
  startPage?: string;
  startedAt: string;
  events: ChatEvent[];
  /** Operator messages the visitor has not seen (the window was closed when they came). */
  unread: number;
}

export interface AccountSeed {
  appId: string;
  token: string;
  teamName?: string;
  operators: { id: string; name: string; email: string; status: OperatorStatus; jobTitle?: string }[];
}

interface Account {
  appId: string;
  token: string;
  teamName: string;
  operators: Operator[];
}

/** What the sandbox pushes live: to a visitor's chat window, and to operator consoles. */
export type LiveEvent =
  | { kind: 'operator-message'; appId: string; visitorId: string; chatId: string; event: ChatEvent; operatorName: string }
  | { kind: 'visitor-message'; appId: string; visitorId: string; chatId: string; event: ChatEvent }
  | { kind: 'operators'; appId: string }
  | { kind: 'visitor'; appId: string; visitorId: string };

export class SandboxError extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

export function createSandboxState(seeds: AccountSeed[], now: () => Date = () => new Date()) {
  const stamp = () => now().toISOString();
  const accounts = new Map<string, Account>(
    seeds.map((seed) => [
      seed.appId,
      {
        appId: seed.appId,
        token: seed.token,
        teamName: seed.teamName ?? 'Support',
        operators: seed.operators.map((operator) => ({
          language: 'en',
          jobTitle: operator.jobTitle ?? 'Support',
          role: 'operator' as const,
          lastLoginAt: stamp(),
          lastActivityAt: stamp(),
          image: null,
          ...operator,
        })),
      },
    ]),
  );
  const visitors = new Map<string, Visitor>();
  const chats = new Map<string, Chat>();
  const listeners = new Set<(event: LiveEvent) => void>();
  /** Counts calls to the REST API per route, so tests and the benchmark can see how often Chaport is asked. */
  const restCalls = new Map<string, number>();

  const publish = (event: LiveEvent) => {
    for (const listener of listeners) listener(event);
  };
  const visitorKey = (appId: string, visitorId: string) => `${appId}/${visitorId}`;

  function account(appId: string): Account {
    const found = accounts.get(appId);
    if (!found) throw new SandboxError(404, `No Chaport app ${appId} in this sandbox`);
    return found;
  }

  function accountByToken(authorization: string | undefined): Account {
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    for (const candidate of accounts.values()) if (token && candidate.token === token) return candidate;
    throw new SandboxError(401, 'Invalid or missing API token');
  }

  function visitor(appId: string, visitorId: string, create = false): Visitor {
    account(appId);
    const key = visitorKey(appId, visitorId);
    let found = visitors.get(key);
    if (!found && create) visitors.set(key, (found = { id: visitorId, appId, createdAt: stamp(), lastSeenAt: stamp() }));
    if (!found) throw new SandboxError(404, `No visitor ${visitorId}`);
    return found;
  }

  const chatsOf = (appId: string, visitorId: string) => [...chats.values()].filter((chat) => chat.appId === appId && chat.visitorId === visitorId);
  const openChat = (appId: string, visitorId: string) => chatsOf(appId, visitorId).find((chat) => chat.stage !== 'closed');

  return {
    account,
    accountByToken,
    teamName: (appId: string) => account(appId).teamName,
    operators: (appId: string) => account(appId).operators,
    apps: () => [...accounts.keys()],
    restCalls,
    countRestCall(route: string) {
      restCalls.set(route, (restCalls.get(route) ?? 0) + 1);
    },

    setOperatorStatus(appId: string, operatorId: string, status: OperatorStatus) {
      const operator = account(appId).operators.find((item) => item.id === operatorId);
      if (!operator) throw new SandboxError(404, `No operator ${operatorId}`);
      operator.status = status;
      operator.lastActivityAt = stamp();
      publish({ kind: 'operators', appId });
      return operator;
    },

    /** A page load of the chat window: the visitor is seen, their conversation returned. */
    session(appId: string, visitorId: string, page?: { url?: string; language?: string; browser?: string }) {
      const found = visitor(appId, visitorId, true);
      found.lastSeenAt = stamp();
      if (page?.url) {
        found.currentPage = page.url;
        found.startPage ??= page.url;
      }
      if (page?.language) found.language = page.language;
      if (page?.browser) found.browser = page.browser;
      publish({ kind: 'visitor', appId, visitorId });
      const chat = openChat(appId, visitorId);
      return { visitor: found, chat: chat ?? null, teamName: account(appId).teamName };
    },

    setVisitorData(appId: string, visitorId: string, data: Partial<Pick<Visitor, 'name' | 'email' | 'phone' | 'notes' | 'custom'>>) {
      const found = visitor(appId, visitorId, true);
      for (const key of ['name', 'email', 'phone', 'notes'] as const) if (typeof data[key] === 'string') found[key] = data[key];
      if (data.custom && typeof data.custom === 'object') found.custom = { ...found.custom, ...data.custom };
      publish({ kind: 'visitor', appId, visitorId });
      return found;
    },

    /** The visitor writes; the first message starts a chat (Chaport's `chat.started`). */
    visitorMessage(appId: string, visitorId: string, text: string, page?: string) {
      if (!text.trim()) throw new SandboxError(400, 'text must not be empty');
      const found = visitor(appId, visitorId, true);
      let chat = openChat(appId, visitorId);
      const started = !chat;
      if (!chat) {
        chat = { id: randomUUID(), visitorId, appId, stage: 'initiated', startedAt: stamp(), events: [], unread: 0, ...(page ? { startPage: page } : {}) };
        chats.set(chat.id, chat);
      }
      const event: ChatEvent = { id: randomUUID(), type: 'visitor-message', params: { text }, createdAt: stamp() };
      chat.events.push(event);
      found.lastSeenAt = stamp();
      publish({ kind: 'visitor-message', appId, visitorId, chatId: chat.id, event });
      return { chat, event, started };
    },

    /**
     * An operator writes to a visitor (REST `POST /messages`, or the console). `externalId` makes it idempotent,
     * as Chaport's `external_id` does. Delivered live to every open window of the visitor.
     */
    operatorMessage(appId: string, visitorId: string, text: string, operatorId?: string, externalId?: string) {
      if (!text.trim()) throw new SandboxError(400, 'chatEvent.params.text must not be empty');
      visitor(appId, visitorId);
      const operators = account(appId).operators;
      const operator = operatorId ? operators.find((item) => item.id === operatorId) : operators.find((item) => item.status === 'online') ?? operators[0];
      if (!operator) throw new SandboxError(404, `No operator ${operatorId}`);
      let chat = openChat(appId, visitorId);
      if (!chat) {
        chat = { id: randomUUID(), visitorId, appId, stage: 'responded', startedAt: stamp(), events: [], unread: 0 };
        chats.set(chat.id, chat);
      }
      const existing = externalId ? chat.events.find((item) => item.externalId === externalId) : undefined;
      if (existing) return { chat, event: existing };
      const event: ChatEvent = { id: randomUUID(), type: 'operator-message', params: { text, operatorId: operator.id }, createdAt: stamp(), ...(externalId ? { externalId } : {}) };
      chat.events.push(event);
      chat.stage = 'responded';
      chat.unread++;
      operator.lastActivityAt = stamp();
      publish({ kind: 'operator-message', appId, visitorId, chatId: chat.id, event, operatorName: operator.name });
      return { chat, event };
    },

    markRead(appId: string, visitorId: string) {
      const chat = openChat(appId, visitorId);
      if (chat) chat.unread = 0;
    },

    visitors: (appId: string) => [...visitors.values()].filter((item) => item.appId === appId),
    visitor: (appId: string, visitorId: string) => visitor(appId, visitorId),
    chatsOf,
    chat(appId: string, visitorId: string, chatId: string) {
      const chat = chats.get(chatId);
      if (!chat || chat.appId !== appId || chat.visitorId !== visitorId) throw new SandboxError(404, `No chat ${chatId}`);
      return chat;
    },

    subscribe(listener: (event: LiveEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type SandboxState = ReturnType<typeof createSandboxState>;
