import * as v from 'valibot';
import { chatShape, visitorShape } from './shapes.ts';

/** A call to Chaport's REST API failed. The message names the call and the reason — never the token. */
export class ChaportRequestError extends Error {
  override readonly name = 'ChaportRequestError';
  constructor(
    message: string,
    /** The HTTP status, when Chaport answered. */
    readonly status: number | null,
  ) {
    super(message);
  }
  /** Worth trying again later (Chaport down, slow, or throttling), as opposed to a refusal. */
  get transient(): boolean {
    return this.status === null || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

export interface ChaportOperator {
  id: string;
  name: string;
  email: string | null;
  realStatus: string | null;
}

export interface Subscription {
  id: string;
  targetUrl: string;
  event: string;
}

export type ChaportChat = v.InferOutput<typeof chatShape>;
export type ChaportVisitor = Record<string, unknown> & { id: string | number };

export interface ChaportClient {
  /** `GET /me.json`: checks the token. */
  me(): Promise<Record<string, unknown>>;
  /** `GET /operators`, kept for a minute: names for operator messages, the mapping's choices. */
  operators(): Promise<ChaportOperator[]>;
  visitor(visitorId: string): Promise<ChaportVisitor>;
  /** `GET /visitors/{id}/chats?transcript=true`: the visitor's current or latest chat, with its events; null if none. */
  latestChat(visitorId: string): Promise<ChaportChat | null>;
  /** A given chat with its events (`/chats/{id}`, and `/events` if the chat came without them). */
  chat(visitorId: string, chatId: string): Promise<ChaportChat>;
  /** `GET /visitors?page=N`: most recent first. */
  visitors(page: number): Promise<{ visitors: ChaportVisitor[]; more: boolean }>;
  subscriptions(): Promise<Subscription[]>;
  subscribe(targetUrl: string, event: string): Promise<Subscription>;
  /** `PUT /visitors/{id}/chats {"stage": "closed"}`: the visitor is not notified. */
  closeChat(visitorId: string): Promise<void>;
  /**
   * `POST /messages`: an operator message to the visitor (a new chat if they have none recent). `externalId` makes a
   * retry harmless where Chaport honours it (its place in the body is unverified: sent as `external_id`).
   */
  sendOperatorMessage(visitorId: string, text: string, operatorId: string, externalId: string): Promise<{ eventId: string | null }>;
  /** Creates an operator with a name only: Chaport takes no avatar through its API. Path unverified (`POST /operators`). */
  createOperator(name: string): Promise<{ id: string }>;
  /** `POST /operators/{id}/status`: an operator's status (field names unverified). */
  setOperatorStatus(operatorId: string, status: 'online' | 'offline'): Promise<void>;
}

export interface ChaportClientOptions {
  apiUrl: string;
  token: string;
  /** Per request. @default 10000 */
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

const resultOf = <T>(body: unknown): T => (body && typeof body === 'object' && 'result' in body ? (body as { result: T }).result : (body as T));

/** Chaport's REST API (`Authorization: Bearer`), with timeouts and answers checked against the shapes we rely on. */
export function createChaportClient({ apiUrl, token, timeoutMs = 10_000, fetch: fetchImpl = fetch, now = Date.now }: ChaportClientOptions): ChaportClient {
  let operatorsCache: { at: number; value: Promise<ChaportOperator[]> } | undefined;

  async function call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T | null> {
    const url = `${apiUrl}${path}`;
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method,
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (error as Error).message;
      throw new ChaportRequestError(`${method} ${url} failed: ${reason}`, null);
    }
    if (response.status === 404) {
      void response.body?.cancel().catch(() => {});
      return null;
    }
    if (!response.ok) {
      void response.body?.cancel().catch(() => {});
      const why = response.status === 401 ? ' (the API token was refused)' : '';
      throw new ChaportRequestError(`${method} ${url} answered ${response.status}${why}`, response.status);
    }
    if (response.status === 204) return null;
    try {
      return resultOf<T>(await response.json());
    } catch {
      throw new ChaportRequestError(`${method} ${url} answered with invalid JSON`, response.status);
    }
  }

  const checked = <S extends v.GenericSchema>(schema: S, value: unknown, what: string): v.InferOutput<S> => {
    const parsed = v.safeParse(schema, value);
    if (!parsed.success) throw new ChaportRequestError(`Chaport answered ${what} in an unexpected shape`, 200);
    return parsed.output;
  };

  /** A chat with its events: as it came, or completed from `/events` when it came without them. */
  async function withEvents(visitorId: string, chat: ChaportChat): Promise<ChaportChat> {
    if (chat.events) return chat;
    const events = await call<unknown[]>('GET', `/visitors/${encodeURIComponent(visitorId)}/chats/${encodeURIComponent(String(chat.id))}/events`);
    return checked(chatShape, { ...chat, events: events ?? [] }, `the events of chat ${chat.id}`);
  }

  const client: ChaportClient = {
    async me() {
      return (await call<Record<string, unknown>>('GET', '/me.json')) ?? {};
    },
    operators() {
      if (!operatorsCache || now() - operatorsCache.at > 60_000) {
        const value = call<unknown[]>('GET', '/operators').then((list) =>
          (list ?? []).map((item) => {
            const operator = item as Record<string, unknown>;
            return { id: String(operator.id), name: String(operator.name ?? operator.email ?? operator.id), email: typeof operator.email === 'string' ? operator.email : null, realStatus: typeof operator.realStatus === 'string' ? operator.realStatus : null };
          }),
        );
        operatorsCache = { at: now(), value };
        value.catch(() => (operatorsCache = undefined));
      }
      return operatorsCache.value;
    },
    async visitor(visitorId) {
      const found = await call<unknown>('GET', `/visitors/${encodeURIComponent(visitorId)}`);
      if (!found) throw new ChaportRequestError(`Chaport has no visitor ${visitorId}`, 404);
      return checked(visitorShape, found, `visitor ${visitorId}`) as ChaportVisitor;
    },
    async latestChat(visitorId) {
      const found = await call<unknown>('GET', `/visitors/${encodeURIComponent(visitorId)}/chats?transcript=true`);
      if (!found) return null;
      // Documented as one object; a list (older API versions, per some sources) is read as its newest chat.
      const chat = Array.isArray(found) ? found.at(-1) : found;
      if (!chat) return null;
      return withEvents(visitorId, checked(chatShape, chat, `the chat of visitor ${visitorId}`));
    },
    async chat(visitorId, chatId) {
      const found = await call('GET', `/visitors/${encodeURIComponent(visitorId)}/chats/${encodeURIComponent(chatId)}`);
      if (!found) throw new ChaportRequestError(`Chaport has no chat ${chatId} of visitor ${visitorId}`, 404);
      return withEvents(visitorId, checked(chatShape, found, `chat ${chatId}`));
    },
    async visitors(page) {
      const url = `${apiUrl}/visitors?page=${page}`;
      const response = await fetchImpl(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) }).catch((error: Error) => {
        throw new ChaportRequestError(`GET ${url} failed: ${error.message}`, null);
      });
      if (!response.ok) throw new ChaportRequestError(`GET ${url} answered ${response.status}`, response.status);
      const body = (await response.json().catch(() => null)) as { result?: unknown[]; links?: { next?: string } } | null;
      const visitors = (body?.result ?? []).filter((item) => v.is(visitorShape, item)) as ChaportVisitor[];
      return { visitors, more: !!body?.links?.next };
    },
    async subscriptions() {
      const list = (await call<unknown[]>('GET', '/events/subscriptions')) ?? [];
      return list.map((item) => {
        const subscription = item as Record<string, unknown>;
        return { id: String(subscription.id), targetUrl: String(subscription.targetUrl ?? ''), event: String(subscription.event ?? '') };
      });
    },
    async subscribe(targetUrl, event) {
      const created = (await call<Record<string, unknown>>('POST', '/events/subscriptions', { targetUrl, event, essential: true })) ?? {};
      return { id: String(created.id ?? ''), targetUrl, event };
    },
    async closeChat(visitorId) {
      await call('PUT', `/visitors/${encodeURIComponent(visitorId)}/chats`, { stage: 'closed' });
    },
    async sendOperatorMessage(visitorId, text, operatorId, externalId) {
      const result = await call<Record<string, unknown>>('POST', '/messages', { visitorId, chatEvent: { type: 'operator-message', params: { text, operatorId } }, external_id: externalId });
      const id = result?.id ?? (result?.chatEvent as Record<string, unknown> | undefined)?.id;
      return { eventId: typeof id === 'string' || typeof id === 'number' ? String(id) : null };
    },
    async createOperator(name) {
      const created = await call<Record<string, unknown>>('POST', '/operators', { name });
      if (!created?.id) throw new ChaportRequestError('Chaport did not say which operator it created', 200);
      operatorsCache = undefined;
      return { id: String(created.id) };
    },
    async setOperatorStatus(operatorId, status) {
      await call('POST', `/operators/${encodeURIComponent(operatorId)}/status`, { status });
    },
  };
  return client;
}
