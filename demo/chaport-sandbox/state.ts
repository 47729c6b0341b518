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
  os?: string;
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
  /** Chaport's chat ids are integers. */
  id: number;
  visitorId: string;
  appId: string;
  /** Chaport's chat stages: initiated (visitor wrote), responded (an operator answered), closed. */
  stage: 'initiated' | 'responded' | 'closed';
  startPage?: string;
  startedAt: string;
  closedAt?: string;
  /** Operators who answered in this chat. */
  operators: string[];
  /** Nobody answered. */
  missed: boolean;
  rating: number | null;
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
  | { kind: 'operator-message'; appId: string; visitorId: string; chatId: number; event: ChatEvent; operatorName: string }
  | { kind: 'visitor-message'; appId: string; visitorId: string; chatId: number; event: ChatEvent }
  | { kind: 'chat-started'; appId: string; visitorId: string; chatId: number }
  | { kind: 'chat-finished'; appId: string; visitorId: string; chatId: number }
  | { kind: 'operators'; appId: string }
  | { kind: 'visitor'; appId: string; visitorId: string };

export class SandboxError extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 409 | 422,
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
  const chats = new Map<number, Chat>();
  let nextChatId = 1001;
  let nextOperator = 1;
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
  const newChat = (appId: string, visitorId: string, stage: Chat['stage'], startPage: string | undefined): Chat => {
    const chat: Chat = { id: nextChatId++, visitorId, appId, stage, startedAt: stamp(), events: [], unread: 0, operators: [], missed: true, rating: null, ...(startPage ? { startPage } : {}) };
    chats.set(chat.id, chat);
    return chat;
  };

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
      if (page?.browser) Object.assign(found, describeUserAgent(page.browser));
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
        const startPage = page ?? found.currentPage;
        chat = newChat(appId, visitorId, 'initiated', startPage);
      }
      const event: ChatEvent = { id: randomUUID(), type: 'visitor-message', params: { text }, createdAt: stamp() };
      chat.events.push(event);
      found.lastSeenAt = stamp();
      if (started) publish({ kind: 'chat-started', appId, visitorId, chatId: chat.id });
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
      const existing = externalId ? chatsOf(appId, visitorId).flatMap((item) => item.events.map((event) => ({ chat: item, event }))).find(({ event }) => event.externalId === externalId) : undefined;
      if (existing) return existing;
      let chat = openChat(appId, visitorId);
      if (!chat) chat = newChat(appId, visitorId, 'responded', visitor(appId, visitorId).currentPage);
      const event: ChatEvent = { id: randomUUID(), type: 'operator-message', params: { text, operatorId: operator.id }, createdAt: stamp(), ...(externalId ? { externalId } : {}) };
      chat.events.push(event);
      chat.stage = 'responded';
      chat.missed = false;
      if (!chat.operators.includes(operator.id)) chat.operators.push(operator.id);
      chat.unread++;
      operator.lastActivityAt = stamp();
      publish({ kind: 'operator-message', appId, visitorId, chatId: chat.id, event, operatorName: operator.name });
      return { chat, event };
    },

    /** `PUT /visitors/{id}/chats {stage: "closed"}`: the latest chat ends; the visitor is not told. */
    closeChat(appId: string, visitorId: string) {
      const chat = openChat(appId, visitorId);
      if (!chat) return chatsOf(appId, visitorId).at(-1) ?? null;
      chat.stage = 'closed';
      chat.closedAt = stamp();
      publish({ kind: 'chat-finished', appId, visitorId, chatId: chat.id });
      return chat;
    },

    /** Chaport creates operators with a name (and an e-mail); the avatar cannot be set this way. */
    createOperator(appId: string, data: { name?: unknown; email?: unknown }) {
      if (typeof data.name !== 'string' || !data.name.trim()) throw new SandboxError(422, 'name is required');
      const operator: Operator = {
        id: `op-created-${nextOperator++}`,
        name: data.name.trim().slice(0, 100),
        email: typeof data.email === 'string' ? data.email : '',
        language: 'en',
        jobTitle: '',
        role: 'operator',
        lastLoginAt: stamp(),
        lastActivityAt: stamp(),
        image: null,
        status: 'offline',
      };
      account(appId).operators.push(operator);
      publish({ kind: 'operators', appId });
      return operator;
    },

    markRead(appId: string, visitorId: string) {
      const chat = openChat(appId, visitorId);
      if (chat) chat.unread = 0;
    },

    /** Most recently seen first, as Chaport lists them. */
    visitors: (appId: string) => [...visitors.values()].filter((item) => item.appId === appId).sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt)),
    visitor: (appId: string, visitorId: string) => visitor(appId, visitorId),
    chatsOf,
    chat(appId: string, visitorId: string, chatId: number) {
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

const OS_NAMES: Record<string, string> = { 'Windows NT': 'Windows', 'iPhone OS': 'iOS', 'Mac OS X': 'macOS', CrOS: 'ChromeOS', Android: 'Android', Linux: 'Linux' };
const BROWSER_NAMES: Record<string, string> = { Edg: 'Edge', OPR: 'Opera', Firefox: 'Firefox', Chrome: 'Chrome' };

/** A browser and an operating system, named from a user agent the way Chaport shows them: "Chrome 156", "Linux". */
export function describeUserAgent(userAgent: string): { browser?: string; os?: string } {
  const browser = /(Edg|OPR|Firefox|Chrome)\/(\d+)/.exec(userAgent);
  const safari = /Version\/(\d+)[^)]*Safari/.exec(userAgent);
  const os = /Windows NT|Android|iPhone OS|Mac OS X|CrOS|Linux/.exec(userAgent)?.[0];
  return {
    ...(browser ? { browser: `${BROWSER_NAMES[browser[1]!]} ${browser[2]}` } : safari ? { browser: `Safari ${safari[1]}` } : {}),
    ...(os ? { os: OS_NAMES[os] } : {}),
  };
}
