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
  sql(types: SqlTypes, dialect: Dialect): string[];
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
  {
    version: 3,
    name: 'conversations, webhook deliveries, API tokens, settings',
    sql: ({ bigint }, dialect) => [
      // A conversation: a live chat (online_chat) or a case (a completed chat, or an e-mail).
      `CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        number ${bigint} NOT NULL UNIQUE,
        channel TEXT NOT NULL,
        phase TEXT NOT NULL,
        status TEXT NOT NULL,
        group_id TEXT NOT NULL,
        assignee TEXT,
        widget_id TEXT,
        subject TEXT NOT NULL,
        visitor_key TEXT NOT NULL,
        chaport_visitor_id TEXT,
        chaport_chat_id TEXT,
        visitor TEXT NOT NULL,
        start_page TEXT,
        created_at ${bigint} NOT NULL,
        last_activity_at ${bigint} NOT NULL,
        live_until ${bigint},
        completed_at ${bigint},
        completed_by TEXT,
        message_count INTEGER NOT NULL,
        last_message TEXT,
        updated_at ${bigint} NOT NULL
      )`,
      'CREATE INDEX conversations_by_phase ON conversations (phase, last_activity_at)',
      'CREATE INDEX conversations_live_until ON conversations (live_until)',
      'CREATE INDEX conversations_by_visitor ON conversations (visitor_key, phase)',
      // Messages in conversation order; an external id (Chaport's event id, an idempotency key) makes each exactly once.
      `CREATE TABLE conversation_messages (
        id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations (id),
        seq INTEGER NOT NULL,
        author TEXT NOT NULL,
        author_name TEXT,
        author_ref TEXT,
        text TEXT NOT NULL,
        external_id TEXT UNIQUE,
        delivery TEXT,
        created_at ${bigint} NOT NULL,
        UNIQUE (conversation_id, seq)
      )`,
      // Conversation numbers: a sequence on PostgreSQL (no row every instance would queue on); a counter on SQLite.
      dialect === 'postgres' ? 'CREATE SEQUENCE conversation_numbers' : `CREATE TABLE counters (name TEXT PRIMARY KEY, value ${bigint} NOT NULL)`,
      // Outbound webhooks (Standard Webhooks): one row per event and endpoint; its id is the stable webhook-id.
      `CREATE TABLE webhook_deliveries (
        id TEXT PRIMARY KEY,
        endpoint_id TEXT NOT NULL,
        event TEXT NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        last_status INTEGER,
        last_error TEXT,
        created_at ${bigint} NOT NULL,
        delivered_at ${bigint},
        updated_at ${bigint} NOT NULL
      )`,
      'CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, created_at)',
      // Machine credentials for the agent API: only a hash is kept; the token is shown once.
      `CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        created_at ${bigint} NOT NULL,
        last_used_at ${bigint},
        revoked_at ${bigint}
      )`,
      // Values every instance must agree on, made once: the webhook path secret, the Chaport connection's state.
      `CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at ${bigint} NOT NULL)`,
      // Jobs that stand for "look again at X": a new one is not added while one for X still waits.
      'ALTER TABLE jobs ADD COLUMN coalesce_key TEXT',
      'CREATE INDEX jobs_coalesce ON jobs (coalesce_key)',
    ],
  },
  {
    version: 4,
    name: 'staff, sessions, the change log, reply signals',
    sql: ({ bigint, serial }) => [
      `CREATE TABLE staff (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        groups_json TEXT NOT NULL,
        channels_json TEXT NOT NULL,
        password_hash TEXT,
        chaport_mapping TEXT NOT NULL,
        chaport_operator_id TEXT,
        status TEXT NOT NULL,
        created_at ${bigint} NOT NULL,
        updated_at ${bigint} NOT NULL,
        disabled_at ${bigint}
      )`,
      // A session is known by the hash of its cookie; the cookie itself is never stored.
      `CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        staff_id TEXT NOT NULL REFERENCES staff (id),
        csrf TEXT NOT NULL,
        created_at ${bigint} NOT NULL,
        expires_at ${bigint} NOT NULL,
        seen_at ${bigint} NOT NULL
      )`,
      'CREATE INDEX sessions_by_staff ON sessions (staff_id)',
      // Every change to a conversation, in commit order: what the desk's live stream replays from (Last-Event-ID).
      `CREATE TABLE change_log (
        id ${serial},
        conversation_id TEXT NOT NULL,
        change TEXT NOT NULL,
        at ${bigint} NOT NULL
      )`,
      // The widget's own visitor id (a Chaport custom field), so a reply can reach the widget through us.
      'ALTER TABLE conversations ADD COLUMN widget_visitor TEXT',
      `ALTER TABLE conversations ADD COLUMN last_reply_at ${bigint}`,
      // Visitor messages since the last answer: what the desk counts as waiting.
      'ALTER TABLE conversations ADD COLUMN unanswered INTEGER NOT NULL DEFAULT 0',
      'CREATE INDEX conversations_by_widget_visitor ON conversations (widget_visitor)',
    ],
  },
  {
    version: 5,
    name: 'settings versions, preview drafts',
    sql: ({ bigint, serial }) => [
      // Every version of the configuration (widgets and helpdesk), the newest being the one in force; never edited.
      `CREATE TABLE settings_versions (
        id ${serial},
        document TEXT NOT NULL,
        author TEXT NOT NULL,
        source TEXT NOT NULL,
        note TEXT,
        file_hash TEXT,
        changes TEXT NOT NULL,
        created_at ${bigint} NOT NULL
      )`,
      // A widget as the settings page edits it, before it is saved: what the live preview renders.
      `CREATE TABLE preview_drafts (
        id TEXT PRIMARY KEY,
        widget TEXT NOT NULL,
        expires_at ${bigint} NOT NULL
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
