import pg from 'pg';
import type { Commands } from '../commands.ts';
import { commands } from '../commands.ts';
import { CommandError, StorageOpenError, StorageUnavailableError, type ChangeEvent, type Database, type Queryable, type Tx } from '../database.ts';
import { createEventBus } from '../events.ts';
import { createHealthTracker } from '../health.ts';
import { recordInstance, type InstanceInfo } from '../instance.ts';
import { LATEST_VERSION, MIGRATIONS, MIGRATIONS_TABLE, sqlTypes } from '../migrations.ts';

export interface PostgresOptions {
  /** @default Date.now */
  now?: () => number;
  /** Connections per instance. @default 10 */
  poolSize?: number;
  instance: InstanceInfo;
  /** Told when the LISTEN connection drops and comes back (events may have been missed meanwhile). */
  onListenerState?(connected: boolean, error?: string): void;
}

/** The channel every instance LISTENs on: committed change events, and job wake-ups. */
const CHANNEL = 'omniwidget';
/** Serializes migrations of instances starting together (any constant; this one spells "omniwdgt"). */
const MIGRATION_LOCK = 0x6f6d6e69776467;
/** NOTIFY payloads are capped at 8000 bytes by PostgreSQL; events carry ids, never content. */
const MAX_EVENT_BYTES = 7900;

/** The URL with its password masked, for logs, errors and `/readyz`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

/** `?` placeholders (outside quoted strings) to PostgreSQL's `$1, $2, …`. */
export function toPostgresPlaceholders(sql: string): string {
  let index = 0;
  return sql.replace(/'(?:[^']|'')*'|\?/g, (match) => (match === '?' ? `$${++index}` : match));
}

// BIGINT (int8) as a JS number: times in ms and counts stay far below 2^53.
const types = { getTypeParser: (oid: number, format?: string) => (oid === 20 ? Number : pg.types.getTypeParser(oid, format as 'text')) } as pg.CustomTypesConfig;

/** Connection-level failures, as opposed to a statement's own error: the database is unavailable for now. */
function isUnavailable(error: unknown): boolean {
  const code = String((error as { code?: unknown })?.code ?? '');
  const message = String((error as Error)?.message ?? '');
  return /^(08|53|57|58)/.test(code) || /^E[A-Z]+$/.test(code) || /Connection terminated|timeout exceeded|Client has encountered a connection error|not queryable/i.test(message);
}

const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock

function describe(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  return code ? `${message} (${code})` : String(message ?? error);
}

/**
 * PostgreSQL for several instances. Each command runs in its own transaction on a pooled connection (the
 * server's own group commit shares WAL flushes between concurrent commits). Change events are `NOTIFY`ed inside
 * the transaction, so every instance — this one included, through its LISTEN connection — hears of a change
 * exactly when it commits.
 */
export async function openPostgres(url: string, options: PostgresOptions): Promise<Database<Commands>> {
  const { now = Date.now, poolSize = 10 } = options;
  const location = redactUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    statement_timeout: 15_000,
    idle_in_transaction_session_timeout: 30_000,
    application_name: 'omniwidget',
    types,
  });
  // An idle connection dropped by the server must not crash the process: the pool replaces it.
  pool.on('error', () => {});

  try {
    await migrate(pool);
  } catch (error) {
    await pool.end().catch(() => {});
    if (error instanceof StorageOpenError) throw error;
    throw new StorageOpenError(`cannot use PostgreSQL at ${location}: ${describe(error)}`);
  }

  const bus = createEventBus();
  const health = createHealthTracker(now);
  const listener = startListener(url, bus.emit, options.onListenerState);
  try {
    // Listening before the first write: an event this instance commits is never missed by its own listeners.
    await listener.ready;
  } catch (error) {
    await listener.stop();
    await pool.end().catch(() => {});
    throw new StorageOpenError(`cannot LISTEN on PostgreSQL at ${location}: ${describe(error)}`);
  }
  const sqlCache = new Map<string, string>();
  const convert = (sql: string) => {
    let converted = sqlCache.get(sql);
    if (converted === undefined) sqlCache.set(sql, (converted = toPostgresPlaceholders(sql)));
    return converted;
  };
  const over = (client: pg.Pool | pg.PoolClient): Queryable => ({
    dialect: 'postgres',
    all: async <T>(sql: string, params: readonly unknown[] = []) => (await client.query(convert(sql), params as unknown[])).rows as T[],
    get: async <T>(sql: string, params: readonly unknown[] = []) => (await client.query(convert(sql), params as unknown[])).rows[0] as T | undefined,
    run: async (sql: string, params: readonly unknown[] = []) => ({ changes: (await client.query(convert(sql), params as unknown[])).rowCount ?? 0 }),
  });
  let closed = false;

  async function transaction(name: string, args: unknown): Promise<unknown> {
    const command = commands[name as keyof Commands] as ((tx: Tx, args: unknown) => Promise<unknown>) | undefined;
    if (!command) throw new Error(`Unknown storage command "${name}"`);
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw new StorageUnavailableError(`PostgreSQL: ${describe(error)}`);
      }
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const published: ChangeEvent[] = [];
        const tx: Tx = {
          ...over(client),
          now: now(),
          async lock(key) {
            await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
          },
          publish: (event) => void published.push(event),
        };
        const result = await command(tx, args);
        for (const event of published) {
          const payload = JSON.stringify(event);
          if (Buffer.byteLength(payload) > MAX_EVENT_BYTES) throw new Error(`Change event "${event.topic}" is too large to publish`);
          await client.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]);
        }
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        const code = String((error as { code?: unknown }).code ?? '');
        if (RETRYABLE.has(code) && attempt < 4) continue;
        if (error instanceof CommandError) throw error;
        if (isUnavailable(error)) {
          broken ??= error as Error;
          throw new StorageUnavailableError(`PostgreSQL: ${describe(error)}`);
        }
        throw error;
      } finally {
        // A connection that failed mid-transaction is destroyed, not returned to the pool.
        client.release(broken);
      }
    }
  }

  const database: Database<Commands> = {
    dialect: 'postgres',
    location,
    async write(name, args) {
      if (closed) throw new StorageUnavailableError('The database is closed');
      try {
        const result = await transaction(name, args);
        health.record(name);
        return result as never;
      } catch (error) {
        health.record(name, error);
        throw error;
      }
    },
    async read(run) {
      if (closed) throw new StorageUnavailableError('The database is closed');
      try {
        return await run(over(pool));
      } catch (error) {
        if (isUnavailable(error)) throw new StorageUnavailableError(`PostgreSQL: ${describe(error)}`);
        throw error;
      }
    },
    subscribe: bus.subscribe,
    async check() {
      try {
        await recordInstance(database, options.instance);
      } catch (error) {
        return { ok: false, backend: 'postgres', error: (error as Error).message };
      }
      const problems = [...health.problems(), ...(listener.connected() ? [] : [`LISTEN connection: ${listener.lastError() ?? 'reconnecting'}`])];
      return problems.length ? { ok: false, backend: 'postgres', error: problems.join('; ') } : { ok: true, backend: 'postgres' };
    },
    async close() {
      if (closed) return;
      closed = true;
      await listener.stop();
      await pool.end();
    },
  };
  return database;
}

/** Applies pending migrations in one transaction, under an advisory lock so instances starting together take turns. */
async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(MIGRATIONS_TABLE);
    const applied = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((row) => row.version));
    const newest = Math.max(0, ...applied);
    if (newest > LATEST_VERSION) throw new StorageOpenError(`its schema is version ${newest}, newer than this server knows (${LATEST_VERSION}): upgrade the server`);
    const sql = sqlTypes('postgres');
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.sql(sql)) await client.query(statement);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, new Date().toISOString()]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** One dedicated connection LISTENing for change events; reconnects with backoff while the instance lives. */
function startListener(url: string, emit: (event: ChangeEvent) => void, onState?: (connected: boolean, error?: string) => void) {
  let client: pg.Client | undefined;
  let connected = false;
  let stopped = false;
  let lastError: string | undefined;
  let retryMs = 250;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let firstOutcome: { resolve(): void; reject(error: Error): void } | undefined;
  const ready = new Promise<void>((resolve, reject) => (firstOutcome = { resolve, reject }));

  const connect = async () => {
    if (stopped) return;
    const next = new pg.Client({ connectionString: url, application_name: 'omniwidget-listen', types });
    client = next;
    next.on('notification', (message) => {
      if (message.channel !== CHANNEL || !message.payload) return;
      try {
        emit(JSON.parse(message.payload) as ChangeEvent);
      } catch {
        /* not ours */
      }
    });
    const lost = (error?: Error) => {
      if (client !== next) return;
      if (firstOutcome) {
        firstOutcome.reject(error ?? new Error('connection ended'));
        firstOutcome = undefined;
        stopped = true;
      }
      client = undefined;
      if (connected) onState?.(false, error?.message);
      connected = false;
      lastError = error?.message ?? 'connection ended';
      next.end().catch(() => {});
      if (!stopped) timer = setTimeout(() => void connect(), retryMs);
      retryMs = Math.min(retryMs * 2, 10_000);
    };
    next.on('error', lost);
    next.on('end', () => lost());
    try {
      await next.connect();
      await next.query(`LISTEN ${CHANNEL}`);
      connected = true;
      retryMs = 250;
      firstOutcome?.resolve();
      firstOutcome = undefined;
      onState?.(true);
    } catch (error) {
      lost(error as Error);
    }
  };
  void connect();
  return {
    ready,
    connected: () => connected,
    lastError: () => lastError,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const current = client;
      client = undefined;
      await current?.end().catch(() => {});
    },
  };
}
