import { atom, map } from 'nanostores';
import type { Conversation, ConversationDetail } from '../contract/helpdesk.ts';
import { api, type DeskConfig, type Me } from './api.ts';

/** The desk's state: one store per thing, changed only by the actions below (and the live stream). */

export type View = 'live' | 'cases';
export interface Filters {
  channel: '' | 'online_chat' | 'email';
  status: '' | Conversation['status'];
}

export const $me = atom<Me | null>(null);
export const $config = atom<DeskConfig | null>(null);
export const $view = atom<View>('live');
export const $filters = map<Filters>({ channel: '', status: '' });
export const $live = atom<Conversation[]>([]);
export const $cases = atom<Conversation[]>([]);
export const $selected = atom<string | null>(null);
export const $detail = atom<ConversationDetail | null>(null);
/** The visitor's other conversations, for the information panel. */
export const $recent = atom<Conversation[]>([]);
export const $connection = atom<'live' | 'reconnecting'>('reconnecting');
/** The address's hash: `#/c/<id>` (a conversation) or `#/settings…` (the settings pages). */
export const $hash = atom('');
export const $notice = atom<{ kind: 'error' | 'info'; text: string } | null>(null);

export const waiting = (list: readonly Conversation[]) => list.filter((item) => item.unanswered > 0).length;

export async function loadLists(): Promise<void> {
  const { channel, status } = $filters.get();
  const filter = { ...(channel ? { channel } : {}), ...(status ? { status } : {}) };
  const [live, cases] = await Promise.all([api.list({ view: 'live', limit: '100' }), api.list({ view: 'cases', limit: '100', ...filter })]);
  $live.set(live.conversations);
  $cases.set(cases.conversations);
}

export async function open(id: string | null): Promise<void> {
  $selected.set(id);
  if (!id) {
    $detail.set(null);
    $recent.set([]);
    return;
  }
  const detail = await api.get(id);
  if ($selected.get() !== id) return;
  $detail.set(detail);
  const recent = await api.list({ visitor: detail.visitorKey, limit: '10' });
  if ($selected.get() === id) $recent.set(recent.conversations.filter((item) => item.id !== id));
}

/** One conversation changed (the live stream said so): refresh it where it is shown. */
export async function refresh(id: string): Promise<void> {
  let fresh: ConversationDetail;
  try {
    fresh = await api.get(id);
  } catch {
    return; // not visible to me (another group), or gone
  }
  const { messages: _messages, ...summary } = fresh;
  const place = (list: Conversation[], belongs: boolean) => {
    const without = list.filter((item) => item.id !== id);
    return belongs ? [summary, ...without].sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt)) : without;
  };
  $live.set(place($live.get(), summary.phase === 'live'));
  const { channel, status } = $filters.get();
  $cases.set(place($cases.get(), summary.phase === 'case' && (!channel || summary.channel === channel) && (!status || summary.status === status)));
  if ($selected.get() === id) $detail.set(fresh);
}
