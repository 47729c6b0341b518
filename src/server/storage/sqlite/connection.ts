import BetterSqlite3 from 'better-sqlite3';
import { CommandError, StorageUnavailableError, type Queryable } from '../database.ts';
import { LATEST_VERSION, MIGRATIONS, MIGRATIONS_TABLE, sqlTypes } from '../migrations.ts';

export type Connection = BetterSqlite3.Database;

/** How long a connection waits for a lock held by another connection before giving up with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * A connection with the pragmas durability depends on: WAL (readers never wait for the writer), and
 * `synchronous = FULL`, so a commit returns only once the WAL is fsynced — `201` means on disk.
 */
export function openConnection(file: string, { readonly = false }: { readonly?: boolean } = {}): Connection {
  const db = new BetterSqlite3(file, { readonly, fileMustExist: readonly, timeout: BUSY_TIMEOUT_MS });
  if (!readonly) db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  return db;
}

/** Prepared statements, compiled once per SQL text per connection. */
export function statementCache(db: Connection): (sql: string) => BetterSqlite3.Statement {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return (sql) => {
    let statement = cache.get(sql);
    if (!statement) cache.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
}

/** The async `Queryable` over a synchronous connection: the promises are already settled when returned. */
export function queryable(db: Connection, prepare = statementCache(db)): Queryable {
  return {
    dialect: 'sqlite',
    all: async <T>(sql: string, params: readonly unknown[] = []) => prepare(sql).all(...params) as T[],
    get: async <T>(sql: string, params: readonly unknown[] = []) => prepare(sql).get(...params) as T | undefined,
    run: async (sql: string, params: readonly unknown[] = []) => ({ changes: prepare(sql).run(...params).changes }),
  };
}

/**
 * Applies pending migrations, each in its own `BEGIN IMMEDIATE` transaction. Refuses a database written by a
 * newer server, whose schema this one does not know.
 */
export function migrate(db: Connection): void {
  db.exec(MIGRATIONS_TABLE);
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((row) => row.version));
  const newest = Math.max(0, ...applied);
  if (newest > LATEST_VERSION)
    throw new CommandError('schema_too_new', `its schema is version ${newest}, newer than this server knows (${LATEST_VERSION}): upgrade the server`);
  const types = sqlTypes('sqlite');
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      for (const statement of migration.sql(types, 'sqlite')) db.exec(statement);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, new Date().toISOString());
    }).immediate();
  }
}

/** SQLite result codes that mean "the database cannot do this now", as opposed to a bug in a statement. */
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CORRUPT|NOTADB|CANTOPEN|READONLY|PROTOCOL|NOMEM|INTERRUPT)/;

export function isUnavailable(error: unknown): boolean {
  return UNAVAILABLE.test(String((error as { code?: unknown } | null)?.code ?? ''));
}

/** One line for an operator: what failed, with SQLite's own code. */
export function describeSqliteError(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  return code ? `${message} (${code})` : String(message ?? error);
}

export function toUnavailable(error: unknown): StorageUnavailableError {
  return new StorageUnavailableError(`SQLite: ${describeSqliteError(error)}`);
}
