import type { Conversation, ConversationDetail, ConversationList, ConversationMessage, Group, PanelMode } from '../contract/helpdesk.ts';

/** The desk talks to the helpdesk only over its HTTP API, as any client would; shapes from src/contract. */

export interface Me {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'agent';
  status: 'online' | 'away';
  chaport: { mapping: 'operator' | 'create' | 'none'; operatorId: string | null };
}

export interface DeskConfig {
  groups: Group[];
  panel: PanelMode;
  chaportConnected: boolean;
  /** The Chaport operator my replies go out as (its name; the other staff who share it), when I am mapped to one. */
  operator: { id: string; name: string | null; sharedWith: string[] } | null;
}

/** An answer the API gave on purpose: its message is meant for people; `issues` name each bad field. */
export class DeskApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly field?: string,
    readonly issues: { field: string; message: string }[] = [],
  ) {
    super(message);
  }
}

let csrf = '';

/** One call to the helpdesk API, with the session's CSRF token on every change. */
export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...(method === 'GET' ? {} : { 'X-CSRF-Token': csrf }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new DeskApiError('The helpdesk cannot be reached. Check the connection; nothing was lost.', 0);
  }
  if (response.status === 204) return undefined as T;
  const json = (await response.json().catch(() => null)) as { error?: { message: string; field?: string; issues?: { field: string; message: string }[] } } | null;
  if (!response.ok) throw new DeskApiError(json?.error?.message ?? `The helpdesk answered ${response.status}`, response.status, json?.error?.field, json?.error?.issues);
  return json as T;
}

export const api = {
  async session(): Promise<Me | null> {
    try {
      const { staff, csrfToken } = await call<{ staff: Me | null; csrfToken?: string }>('GET', '/v1/session');
      csrf = csrfToken ?? '';
      return staff;
    } catch (error) {
      if (error instanceof DeskApiError && error.status === 401) return null;
      throw error;
    }
  },
  async signIn(email: string, password: string): Promise<Me> {
    const { staff, csrfToken } = await call<{ staff: Me; csrfToken: string }>('POST', '/v1/session', { email, password });
    csrf = csrfToken;
    return staff;
  },
  signOut: () => call<void>('DELETE', '/v1/session'),
  setStatus: (status: Me['status']) => call<Me>('PUT', '/v1/session/status', { status }),
  config: () => call<DeskConfig>('GET', '/v1/desk/config'),
  list: (query: Record<string, string>) => call<ConversationList>('GET', `/v1/conversations?${new URLSearchParams(query)}`),
  get: (id: string) => call<ConversationDetail>('GET', `/v1/conversations/${encodeURIComponent(id)}`),
  reply: (id: string, text: string) => call<ConversationMessage>('POST', `/v1/conversations/${encodeURIComponent(id)}/messages`, { text }),
  retry: (id: string, messageId: string) => call<ConversationMessage>('POST', `/v1/conversations/${encodeURIComponent(id)}/messages/${encodeURIComponent(messageId)}/retry`),
  complete: (id: string, status: Conversation['status']) => call<ConversationDetail>('POST', `/v1/conversations/${encodeURIComponent(id)}/complete`, { status }),
};
