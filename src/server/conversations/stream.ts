import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { ConversationChannel } from '../../contract/helpdesk.ts';
import type { AuthEnv, Principal } from '../http/auth.ts';
import { canSee } from '../staff/staff.ts';
import type { AppDatabase } from '../storage/open.ts';

/** A heartbeat comment this often keeps proxies from closing a quiet stream, and shows a dead one. */
const HEARTBEAT_MS = 15_000;
/**
 * PostgreSQL numbers log rows when they are inserted, not when they commit: a lower number may appear just after a
 * higher one. Each read looks back this far, and skips what it sent already.
 */
const LOOK_BACK = 200;
const BATCH = 500;

interface LogRow {
  id: number;
  conversation_id: string;
  change: string;
  channel: ConversationChannel;
  group_id: string;
}

export interface ConversationStream {
  /** `GET /v1/events`: server-sent events, `conversation` with `{conversationId, change}`, resumable by `Last-Event-ID`. */
  handle(c: Context<AuthEnv>): Response;
  /** Ends every open stream (the server drains; clients reconnect, to another instance). */
  closeAll(): void;
  readonly open: number;
}

/**
 * The desk's live updates. Each change to a conversation is a row of `change_log`, written in the transaction that
 * made it; a commit wakes every instance's streams (PostgreSQL NOTIFY, or in-process), and each stream reads the log
 * from where it is — so an agent on instance B sees at once a message that arrived on instance A, and a client that
 * reconnects with `Last-Event-ID` misses nothing. An agent gets only the conversations of their channels and groups.
 */
export function conversationStream(db: AppDatabase): ConversationStream {
  const streams = new Set<SSEStreamingApi>();

  const visible = (principal: Principal, row: LogRow) => principal.kind === 'token' || canSee(principal.staff, { channel: row.channel, group: row.group_id });

  return {
    handle(c) {
      const principal = c.var.principal;
      const resumeFrom = c.req.header('Last-Event-ID') ?? c.req.query('lastEventId');
      c.header('Cache-Control', 'no-store');
      c.header('X-Accel-Buffering', 'no'); // nginx: stream, do not buffer
      return streamSSE(c, async (stream) => {
        streams.add(stream);
        const sent = new Set<number>();
        let cursor: number;
        if (resumeFrom !== undefined && /^\d+$/.test(resumeFrom)) {
          cursor = Number(resumeFrom);
          const oldest = await db.read((q) => q.get<{ id: number | null }>('SELECT MIN(id) AS id FROM change_log'));
          // Resuming from before what the log still holds: the client must reload what it shows.
          if (oldest?.id != null && cursor < Number(oldest.id) - 1) await stream.writeSSE({ event: 'reset', data: '{}' });
        } else {
          cursor = Number((await db.read((q) => q.get<{ id: number | null }>('SELECT MAX(id) AS id FROM change_log')))?.id ?? 0);
          await stream.writeSSE({ event: 'ready', id: String(cursor), data: JSON.stringify({ lastEventId: cursor }) });
        }

        let pumping = false;
        let again = false;
        const pump = async () => {
          if (pumping) {
            again = true;
            return;
          }
          pumping = true;
          try {
            do {
              again = false;
              const rows = await db.read((q) =>
                q.all<LogRow>(
                  `SELECT l.id, l.conversation_id, l.change, c.channel, c.group_id FROM change_log l JOIN conversations c ON c.id = l.conversation_id
                   WHERE l.id > ? ORDER BY l.id LIMIT ?`,
                  [Math.max(0, cursor - (db.dialect === 'postgres' ? LOOK_BACK : 0)), BATCH],
                ),
              );
              for (const row of rows) {
                const id = Number(row.id);
                if (sent.has(id)) continue;
                sent.add(id);
                if (id > cursor) cursor = id;
                if (visible(principal, row)) await stream.writeSSE({ event: 'conversation', id: String(id), data: JSON.stringify({ conversationId: row.conversation_id, change: row.change }) });
              }
              for (const id of sent) if (id <= cursor - LOOK_BACK) sent.delete(id);
              if (rows.length === BATCH) again = true;
            } while (again && !stream.aborted);
          } catch {
            /* the database hiccuped: the next change or heartbeat tries again */
          } finally {
            pumping = false;
          }
        };

        const unsubscribe = db.subscribe((event) => event.topic === 'conversation' && void pump());
        const heartbeat = setInterval(() => {
          void stream.write(': ping\n\n').catch(() => {});
          void pump(); // also catches anything a dropped LISTEN connection missed
        }, HEARTBEAT_MS);
        await pump();
        await new Promise<void>((resolve) => {
          stream.onAbort(() => resolve());
          // closeAll() ends the stream from outside.
          (stream as SSEStreamingApi & { end?: () => void }).end = resolve;
        });
        clearInterval(heartbeat);
        unsubscribe();
        streams.delete(stream);
      });
    },
    closeAll() {
      for (const stream of streams) {
        (stream as SSEStreamingApi & { end?: () => void }).end?.();
        void stream.close();
      }
    },
    get open() {
      return streams.size;
    },
  };
}
