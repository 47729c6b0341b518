import type { ConversationDetail, ConversationList, ConversationChannel, ConversationStatus } from '../../contract/helpdesk.ts';
import type { Queryable } from '../storage/database.ts';
import { conversationView, messageView, type ConversationRow, type MessageRow } from './view.ts';

export interface ConversationFilter {
  /** `live`: chats in progress; `cases`: completed chats and e-mails (the general list); `all`. */
  view: 'live' | 'cases' | 'all';
  channel?: ConversationChannel | undefined;
  status?: ConversationStatus | undefined;
  group?: string | undefined;
  visitor?: string | undefined;
  limit: number;
  cursor?: string | undefined;
  /** What the caller may see (an agent: their channels and groups); all when omitted. */
  visibleTo?: { channels: readonly string[]; groups: readonly string[] } | undefined;
}

/** The position after the last row of a page: its activity time and id, opaque to clients. */
const encodeCursor = (row: ConversationRow) => Buffer.from(`${Number(row.last_activity_at)}:${row.id}`).toString('base64url');
function decodeCursor(cursor: string): [number, string] | null {
  const match = /^(\d+):(.+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? [Number(match[1]), match[2]!] : null;
}

/** Most recent activity first; the same filters the desk and other helpdesks use. */
export async function listConversations(q: Queryable, filter: ConversationFilter): Promise<ConversationList> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.view === 'live') where.push("phase = 'live'");
  if (filter.view === 'cases') where.push("phase = 'case'");
  if (filter.channel) where.push('channel = ?') && params.push(filter.channel);
  if (filter.status) where.push('status = ?') && params.push(filter.status);
  if (filter.group) where.push('group_id = ?') && params.push(filter.group);
  if (filter.visitor) where.push('visitor_key = ?') && params.push(filter.visitor);
  if (filter.visibleTo) {
    const { channels, groups } = filter.visibleTo;
    where.push(channels.length ? `channel IN (${channels.map(() => '?').join(', ')})` : '1 = 0') && params.push(...channels);
    if (groups.length) where.push(`group_id IN (${groups.map(() => '?').join(', ')})`) && params.push(...groups);
  }
  const after = filter.cursor ? decodeCursor(filter.cursor) : null;
  if (after) where.push('(last_activity_at < ? OR (last_activity_at = ? AND id < ?))') && params.push(after[0], after[0], after[1]);
  const rows = await q.all<ConversationRow>(
    `SELECT * FROM conversations${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY last_activity_at DESC, id DESC LIMIT ?`,
    [...params, filter.limit + 1],
  );
  const page = rows.slice(0, filter.limit);
  return { conversations: page.map(conversationView), nextCursor: rows.length > filter.limit ? encodeCursor(page.at(-1)!) : null };
}

export async function getConversation(q: Queryable, id: string): Promise<ConversationDetail | null> {
  const row = await q.get<ConversationRow>('SELECT * FROM conversations WHERE id = ?', [id]);
  if (!row) return null;
  const messages = await q.all<MessageRow>('SELECT * FROM conversation_messages WHERE conversation_id = ? ORDER BY seq', [id]);
  return { ...conversationView(row), messages: messages.map(messageView) };
}
