import type { CompletedBy, Conversation, ConversationChannel, ConversationMessage, ConversationPhase, ConversationStatus, MessageAuthor, VisitorSnapshot } from '../../contract/helpdesk.ts';

/** A `conversations` row. Times are ms since the epoch (BIGINT on PostgreSQL, read back as numbers). */
export interface ConversationRow {
  id: string;
  number: number;
  channel: ConversationChannel;
  phase: ConversationPhase;
  status: ConversationStatus;
  group_id: string;
  assignee: string | null;
  widget_id: string | null;
  subject: string;
  visitor_key: string;
  chaport_visitor_id: string | null;
  chaport_chat_id: string | null;
  visitor: string;
  start_page: string | null;
  created_at: number;
  last_activity_at: number;
  live_until: number | null;
  completed_at: number | null;
  completed_by: CompletedBy | null;
  message_count: number;
  last_message: string | null;
  updated_at: number;
  /** The widget's visitor id, when the SDK told Chaport (see WIDGET_VISITOR_FIELD). */
  widget_visitor: string | null;
  /** When an agent or operator last wrote: what a closed widget learns to re-open. */
  last_reply_at: number | null;
  /** Visitor messages since the last answer. */
  unanswered: number;
}

export interface MessageRow {
  id: string;
  conversation_id: string;
  seq: number;
  author: MessageAuthor;
  author_name: string | null;
  author_ref: string | null;
  text: string;
  external_id: string | null;
  delivery: 'sending' | 'sent' | 'failed' | null;
  created_at: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/** The wire shape (contract/helpdesk.ts) of a conversation row. */
export function conversationView(row: ConversationRow): Conversation {
  return {
    id: row.id,
    number: Number(row.number),
    channel: row.channel,
    phase: row.phase,
    status: row.status,
    group: row.group_id,
    assignee: row.assignee,
    widgetId: row.widget_id,
    subject: row.subject,
    visitorKey: row.visitor_key,
    visitor: JSON.parse(row.visitor) as VisitorSnapshot,
    startPage: row.start_page,
    createdAt: iso(row.created_at)!,
    lastActivityAt: iso(row.last_activity_at)!,
    liveUntil: iso(row.live_until),
    completedAt: iso(row.completed_at),
    completedBy: row.completed_by,
    messageCount: Number(row.message_count),
    unanswered: Number(row.unanswered),
    lastMessage: row.last_message ? (JSON.parse(row.last_message) as Conversation['lastMessage']) : null,
  };
}

export function messageView(row: MessageRow): ConversationMessage {
  return {
    id: row.id,
    author: row.author,
    authorName: row.author_name,
    text: row.text,
    createdAt: iso(row.created_at)!,
    externalId: row.external_id,
    delivery: row.delivery,
  };
}
