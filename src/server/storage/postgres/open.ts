import pg from 'pg';
import type { Commands } from '../commands.ts';
import { StorageOpenError, StorageUnavailableError, type ChangeEvent, type Database } from '../database.ts';
import { createEventBus } from '../events.ts';
import { recordInstance, type InstanceInfo } from '../instance.ts';
import { LATEST_VERSION, MIGRATIONS, MIGRATIONS_TABLE, sqlTypes } from '../migrations.ts';
import { startWriter } from '../writer/client.ts';
import { CHANNEL } from './executor.ts';
import { createPool, describe, queryableOver, redactUrl, types } from './pool.ts';

export { redactUrl, toPostgresPlaceholders } from './pool.ts';

export interface PostgresOptions {
  /** @default Date.now */
  now?: () => number;
  /** Connections per instance for writes (reads use a few more of their own). @default 10 */
  poolSize?: number;
  /** A write not committed within this time is reported unavailable (it may still commit: callers are idempotent). @default 10000 */
  writeTimeoutMs?: number;
  instance: InstanceInfo;
  /** Told when the LISTEN connection drops and comes back (events may have been missed meanwhile). */
  onListenerState?(connected: boolean, error?: string): void;
}

/** Serializes migrations of instances starting together (any constant; this one spells "omniwdg"). */
const MIGRATION_LOCK = 0x6f6d6e69776467;

/**
 * PostgreSQL for several instances. Writes run in the writer thread, each in its own transaction (postgres/executor);
 * reads on a small pool here; change events arrive on one LISTEN connection — every instance hears of a change,
 * its own included, exactly when it commits.
 */
export async function openPostgres(url: string, options: PostgresOptions): Promise<Database<Commands>> {
  const { now = Date.now, poolSize = 10, writeTimeoutMs = 10_000 } = options;
  const location = redactUrl(url);
  const readPool = createPool(url, 4, 'omniwidget-reader');
  try {
    await migrate(readPool);
  } catch (error) {
    await readPool.end().catch(() => {});
    if (error instanceof StorageOpenError) throw error;
    throw new StorageOpenError(`cannot use PostgreSQL at ${location}: ${describe(error)}`);
  }

  const bus = createEventBus();
  const listener = startListener(url, bus.emit, options.onListenerState);
  let writer;
  try {
    // Listening before the first write: an event this instance commits is never missed by its own listeners.
    await listener.ready;
    writer = await startWriter({ backend: 'postgres', url, poolSize }, { now, writeTimeoutMs, onEvents: () => {} });
  } catch (error) {
    await listener.stop();
    await readPool.end().catch(() => {});
    throw error instanceof StorageOpenError ? error : new StorageOpenError(`cannot LISTEN on PostgreSQL at ${location}: ${describe(error)}`);
  }
  const read = queryableOver(readPool);
  let closed = false;

  const database: Database<Commands> = {
    dialect: 'postgres',
    location,
    write: (name, args) => writer.write(name, args) as never,
    async read(run) {
      if (closed) throw new StorageUnavailableError('The database is closed');
      return run(read);
    },
    subscribe: bus.subscribe,
    async check() {
      try {
        await recordInstance(database, options.instance);
      } catch (error) {
        return { ok: false, backend: 'postgres', error: (error as Error).message };
      }
      const problems = [...writer.problems(), ...(listener.connected() ? [] : [`LISTEN connection: ${listener.lastError() ?? 'reconnecting'}`])];
      return problems.length ? { ok: false, backend: 'postgres', error: problems.join('; ') } : { ok: true, backend: 'postgres' };
    },
    async close() {
      if (closed) return;
      closed = true;
      await writer.close();
      await listener.stop();
      await readPool.end();
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
      for (const statement of migration.sql(sql, 'postgres')) await client.query(statement);
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
        const parsed = JSON.parse(message.payload) as ChangeEvent | ChangeEvent[];
        for (const event of Array.isArray(parsed) ? parsed : [parsed]) emit(event);
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
