import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Commands } from '../commands.ts';
import { CommandError, StorageOpenError, StorageUnavailableError, type Database } from '../database.ts';
import { createEventBus } from '../events.ts';
import { recordInstance, type InstanceInfo } from '../instance.ts';
import { startWriter, type WriterClient } from '../writer/client.ts';
import { describeSqliteError, migrate, openConnection, queryable, type Connection } from './connection.ts';

export interface SqliteOptions {
  /** The caller's clock, passed to every command. @default Date.now */
  now?: () => number;
  /** A write not committed within this time is reported unavailable (it may still commit: callers are idempotent). @default 10000 */
  writeTimeoutMs?: number;
  instance: InstanceInfo;
  /** Take the instance lock (one server per file). @default true */
  lock?: boolean;
}

/**
 * One SQLite file, held by one server process: an exclusive lock on `<file>.lock`, which the kernel releases
 * however the process ends (even `kill -9`), refuses a second server on the same file. The schema is migrated
 * and checked (`quick_check`) before anything is served; writes go to the writer thread (writer/), reads are
 * answered here from a read-only connection (WAL: readers never wait for the writer).
 */
export async function openSqlite(path: string, options: SqliteOptions): Promise<Database<Commands>> {
  const file = resolve(path);
  const { now = Date.now, writeTimeoutMs = 10_000 } = options;
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (error) {
    throw new StorageOpenError(`cannot create the folder of ${file}: ${(error as Error).message}`);
  }
  const lock = options.lock === false ? null : lockInstance(file);
  const bus = createEventBus();
  let reader: Connection | undefined;
  let writer: WriterClient | undefined;
  try {
    prepareFile(file);
    reader = openConnection(file, { readonly: true });
    writer = await startWriter({ backend: 'sqlite', file }, { now, writeTimeoutMs, onEvents: (events) => events.forEach(bus.emit) });
  } catch (error) {
    reader?.close();
    lock?.close();
    throw error;
  }
  const read = queryable(reader);
  let closed = false;

  const database: Database<Commands> = {
    dialect: 'sqlite',
    location: file,
    write: (name, args) => writer!.write(name, args) as never,
    async read(run) {
      if (closed) throw new StorageUnavailableError('The database is closed');
      try {
        return await run(read);
      } catch (error) {
        if ((error as { code?: string }).code?.startsWith('SQLITE_')) throw new StorageUnavailableError(`SQLite: ${describeSqliteError(error)}`);
        throw error;
      }
    },
    subscribe: bus.subscribe,
    async check() {
      try {
        await recordInstance(database, options.instance);
      } catch (error) {
        return { ok: false, backend: 'sqlite', error: (error as Error).message };
      }
      const problems = writer!.problems();
      return problems.length ? { ok: false, backend: 'sqlite', error: problems.join('; ') } : { ok: true, backend: 'sqlite' };
    },
    async close() {
      if (closed) return;
      closed = true;
      await writer!.close();
      reader!.close();
      lock?.close();
    },
  };
  return database;
}

/** `<file>.lock`, held in SQLite's exclusive locking mode for the life of the process. */
function lockInstance(file: string): BetterSqlite3.Database {
  const lockFile = `${file}.lock`;
  // omniwidget 0.1 (WASM SQLite) left a lock *directory* here after a crash; it meant nothing to anyone.
  if (existsSync(lockFile) && statSync(lockFile).isDirectory()) rmSync(lockFile, { recursive: true, force: true });
  let lock: BetterSqlite3.Database;
  try {
    lock = new BetterSqlite3(lockFile, { timeout: 0 });
  } catch (error) {
    throw new StorageOpenError(`cannot open ${lockFile}: ${describeSqliteError(error)}`);
  }
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the exclusive lock; in this mode it is never released until the connection closes.
    lock.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS holder (note TEXT); COMMIT');
  } catch (error) {
    lock.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY')
      throw new StorageOpenError(
        `${file} is in use by another omniwidget-server process (it holds ${lockFile}): stop it first, or use PostgreSQL (DATABASE_URL) to run several instances`,
      );
    throw new StorageOpenError(`cannot lock ${lockFile}: ${describeSqliteError(error)}`);
  }
  return lock;
}

/** Opens the file once to migrate and check it, so a bad file is refused before anything is served. */
function prepareFile(file: string): void {
  let db: Connection | undefined;
  try {
    db = openConnection(file);
    const problems = (db.pragma('quick_check(5)') as { quick_check: string }[]).map((row) => row.quick_check);
    if (problems[0] !== 'ok') throw new StorageOpenError(`${file} is damaged (${problems.join('; ')}): restore it from a backup`);
    migrate(db);
  } catch (error) {
    if (error instanceof StorageOpenError) throw error;
    if (error instanceof CommandError) throw new StorageOpenError(`cannot use ${file}: ${error.message}`);
    const code = (error as { code?: string }).code;
    const reason =
      code === 'SQLITE_NOTADB' ? 'it is not a SQLite database' : code === 'SQLITE_CORRUPT' ? 'it is damaged: restore it from a backup' : describeSqliteError(error);
    throw new StorageOpenError(`cannot open ${file}: ${reason}`);
  } finally {
    db?.close();
  }
}

