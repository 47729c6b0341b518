import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import sqlite from 'node-sqlite3-wasm';
import type { MessageRequest } from '../../contract/index.ts';

// node-sqlite3-wasm: real SQLite compiled to WebAssembly, reading and writing the file itself
// (fsync on commit) — durable like native SQLite, without a native build step.
const { Database } = sqlite;
type Db = InstanceType<typeof Database>;

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

export class IdempotencyConflictError extends Error {
  override readonly name = 'IdempotencyConflictError';
}

export interface MessageStore {
  /** Returns only once the row is committed to disk. */
  save(widgetId: string, idempotencyKey: string, request: MessageRequest, meta?: { origin?: string | null }): SaveResult;
  list(widgetId: string, limit?: number): StoredMessage[];
  count(widgetId?: string): number;
  close(): void;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY,
    widget_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    name TEXT,
    email TEXT NOT NULL,
    message TEXT NOT NULL,
    page TEXT,
    origin TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (widget_id, idempotency_key)
  );
  CREATE INDEX IF NOT EXISTS messages_by_widget ON messages (widget_id, created_at);
`;

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
  ...(row.name ? { name: row.name } : {}),
  email: row.email,
  message: row.message,
  ...(row.page ? { page: row.page } : {}),
  origin: row.origin,
  createdAt: row.created_at,
});

/** Same content → same fingerprint, so a retry is told apart from a different message under a reused key. */
const fingerprintOf = (request: MessageRequest) =>
  createHash('sha256').update(JSON.stringify([request.name ?? '', request.email, request.message, request.page ?? ''])).digest('base64url');

/**
 * Opens (or creates) the SQLite database at `path`. One server process per database file: the WASM build
 * locks with a `<file>.lock` directory, which a crashed process leaves behind, so it is cleared on open.
 */
export function openMessageStore(path: string, now: () => Date = () => new Date()): MessageStore {
  const file = resolve(path);
  mkdirSync(dirname(file), { recursive: true });
  const staleLock = `${file}.lock`;
  if (existsSync(staleLock)) rmSync(staleLock, { recursive: true, force: true });

  const db: Db = new Database(file);
  // Rollback journal with a full fsync on every commit: `201` is sent only after the write is on disk.
  db.exec('PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL;');
  db.exec(SCHEMA);

  const findByKey = db.prepare('SELECT * FROM messages WHERE widget_id = ? AND idempotency_key = ?');
  const insert = db.prepare(
    'INSERT INTO messages (id, widget_id, idempotency_key, fingerprint, name, email, message, page, origin, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );

  return {
    save(widgetId, idempotencyKey, request, meta = {}) {
      const fingerprint = fingerprintOf(request);
      const existing = findByKey.get([widgetId, idempotencyKey]) as Row | null;
      if (existing) {
        if (existing.fingerprint !== fingerprint)
          throw new IdempotencyConflictError(`Idempotency key "${idempotencyKey}" was already used for a different message`);
        return { message: fromRow(existing), replayed: true };
      }
      const row: Row = {
        id: `msg_${randomUUID()}`,
        widget_id: widgetId,
        idempotency_key: idempotencyKey,
        fingerprint,
        name: request.name || null,
        email: request.email,
        message: request.message,
        page: request.page ?? null,
        origin: meta.origin ?? null,
        created_at: now().toISOString(),
      };
      // Autocommit: the INSERT is its own transaction, committed (and fsynced) before run() returns.
      insert.run([row.id, row.widget_id, row.idempotency_key, row.fingerprint, row.name, row.email, row.message, row.page, row.origin, row.created_at]);
      return { message: fromRow(row), replayed: false };
    },
    list(widgetId, limit = 100) {
      return (db.all('SELECT * FROM messages WHERE widget_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?', [widgetId, limit]) as unknown as Row[]).map(fromRow);
    },
    count(widgetId) {
      const row = (widgetId === undefined
        ? db.get('SELECT COUNT(*) AS n FROM messages')
        : db.get('SELECT COUNT(*) AS n FROM messages WHERE widget_id = ?', [widgetId])) as { n: number } | null;
      return row?.n ?? 0;
    },
    close() {
      findByKey.finalize();
      insert.finalize();
      db.close();
    },
  };
}
