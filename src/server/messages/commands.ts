import { createHash, randomUUID } from 'node:crypto';
import type { MessageRequest } from '../../contract/api.ts';
import { conversationFromEmail, type ConversationRules } from '../conversations/commands.ts';
import { CommandError, type Queryable, type Tx } from '../storage/database.ts';

export interface StoredMessage extends MessageRequest {
  id: string;
  widgetId: string;
  idempotencyKey: string;
  origin: string | null;
  createdAt: string;
}

export interface SaveResult {
  message: StoredMessage;
  /** True when this idempotency key was already stored: the earlier result is returned, nothing is written. */
  replayed: boolean;
}

interface Row {
  id: string;
  widget_id: string;
  idempotency_key: string;
  fingerprint: string;
  name: string | null;
  email: string;
  message: string;
  page: string | null;
  origin: string | null;
  created_at: string;
}

const fromRow = (row: Row): StoredMessage => ({
  id: row.id,
  widgetId: row.widget_id,
  idempotencyKey: row.idempotency_key,
  ...(row.name !== null ? { name: row.name } : {}),
  email: row.email,
  message: row.message,
  ...(row.page !== null ? { page: row.page } : {}),
  origin: row.origin,
  createdAt: row.created_at,
});

/** Same content → same fingerprint, so a retry is told apart from a different message under a reused key. */
const fingerprintOf = (request: MessageRequest) =>
  createHash('sha256').update(JSON.stringify([request.name ?? null, request.email, request.message, request.page ?? null])).digest('base64url');

export interface SaveMessageArgs {
  widgetId: string;
  idempotencyKey: string;
  request: MessageRequest;
  origin: string | null;
  /** With them, the message also becomes a case on the `email` channel, in the same transaction. */
  rules?: ConversationRules;
}

export const messageCommands = {
  /**
   * Stores an e-mail form message once per idempotency key. A retry with the same body gets the stored message
   * back; a different body under the same key is refused (`idempotency_key_reused`).
   */
  async 'messages.save'(tx: Tx, { widgetId, idempotencyKey, request, origin, rules }: SaveMessageArgs): Promise<SaveResult> {
    const fingerprint = fingerprintOf(request);
    const row: Row = {
      id: `msg_${randomUUID()}`,
      widget_id: widgetId,
      idempotency_key: idempotencyKey,
      fingerprint,
      name: request.name ?? null,
      email: request.email,
      message: request.message,
      page: request.page ?? null,
      origin,
      created_at: new Date(tx.now).toISOString(),
    };
    // One statement in the usual case. Two instances inserting the same retry at once: the unique key makes the
    // second wait for the first to commit, then insert nothing — and it reads the first one's row below.
    const inserted = await tx.get(
      `INSERT INTO messages (id, widget_id, idempotency_key, fingerprint, name, email, message, page, origin, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (widget_id, idempotency_key) DO NOTHING RETURNING id`,
      [row.id, row.widget_id, row.idempotency_key, row.fingerprint, row.name, row.email, row.message, row.page, row.origin, row.created_at],
    );
    if (inserted) {
      if (rules)
        await conversationFromEmail(tx, { widgetId, messageId: row.id, idempotencyKey, name: row.name, email: row.email, text: row.message, page: row.page, rules });
      return { message: fromRow(row), replayed: false };
    }
    const existing = (await tx.get<Row>('SELECT * FROM messages WHERE widget_id = ? AND idempotency_key = ?', [widgetId, idempotencyKey]))!;
    if (existing.fingerprint !== fingerprint)
      throw new CommandError('idempotency_key_reused', `Idempotency key "${idempotencyKey}" was already used for a different message`);
    return { message: fromRow(existing), replayed: true };
  },
};

export async function listMessages(q: Queryable, widgetId: string, limit = 100): Promise<StoredMessage[]> {
  const rows = await q.all<Row>('SELECT * FROM messages WHERE widget_id = ? ORDER BY created_at DESC, id DESC LIMIT ?', [widgetId, limit]);
  return rows.map(fromRow);
}

export async function countMessages(q: Queryable, widgetId?: string): Promise<number> {
  const row = await (widgetId === undefined
    ? q.get<{ n: number }>('SELECT COUNT(*) AS n FROM messages')
    : q.get<{ n: number }>('SELECT COUNT(*) AS n FROM messages WHERE widget_id = ?', [widgetId]));
  return Number(row?.n ?? 0);
}
