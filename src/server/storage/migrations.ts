import type { Dialect } from './database.ts';

/**
 * The schema, as versioned migrations applied in order at start, each in its own transaction. One list for both
 * backends: the SQL is the same but for a few types, named below, so the two schemas cannot drift apart.
 * Append only: a released migration is never edited (a new one fixes it).
 *
 * Conventions: times are integers (milliseconds since the epoch); booleans are 0/1 integers; JSON is text
 * (the server validates it on the way in and out, and both backends then store the exact bytes).
 */
export interface Migration {
  version: number;
  name: string;
  sql(types: SqlTypes): string[];
}

export interface SqlTypes {
  /** 64-bit integer: times in ms, counters. */
  bigint: string;
  /** An integer key assigned by the database, in insertion order. */
  serial: string;
}

export const sqlTypes = (dialect: Dialect): SqlTypes =>
  dialect === 'postgres'
    ? { bigint: 'BIGINT', serial: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY' }
    : { bigint: 'INTEGER', serial: 'INTEGER PRIMARY KEY AUTOINCREMENT' };

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'e-mail form messages',
    // IF NOT EXISTS: databases written by 0.1 (the same table, before migrations existed) are adopted as they are.
    sql: () => [
      `CREATE TABLE IF NOT EXISTS messages (
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
      )`,
      'CREATE INDEX IF NOT EXISTS messages_by_widget ON messages (widget_id, created_at)',
    ],
  },
  {
    version: 2,
    name: 'instances, jobs, presence cache, rate limits',
    sql: ({ bigint }) => [
      // Every server process on this database, with its last sign of life: written by each readiness check.
      `CREATE TABLE instances (
        id TEXT PRIMARY KEY,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        started_at ${bigint} NOT NULL,
        seen_at ${bigint} NOT NULL
      )`,
      // The durable job queue (jobs/): claimed under a lease, retried with backoff, dead after max_attempts.
      `CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL,
        run_at ${bigint} NOT NULL,
        attempts INTEGER NOT NULL,
        max_attempts INTEGER NOT NULL,
        locked_by TEXT,
        locked_until ${bigint},
        last_error TEXT,
        dedupe_key TEXT UNIQUE,
        created_at ${bigint} NOT NULL,
        updated_at ${bigint} NOT NULL
      )`,
      'CREATE INDEX jobs_due ON jobs (state, run_at)',
      // One row per Chaport account (its API URL and a hash of its token): who refreshes it next, and the answer.
      `CREATE TABLE presence_cache (
        account_key TEXT PRIMARY KEY,
        online INTEGER,
        fetched_at ${bigint},
        attempted_at ${bigint}
      )`,
      // Fixed-window counters shared by every instance (PostgreSQL); SQLite's single instance counts in memory.
      `CREATE TABLE rate_limits (
        bucket TEXT NOT NULL,
        window_start ${bigint} NOT NULL,
        hits INTEGER NOT NULL,
        PRIMARY KEY (bucket, window_start)
      )`,
    ],
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;
