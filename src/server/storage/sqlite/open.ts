import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import type { Commands } from '../commands.ts';
import { CommandError, StorageOpenError, StorageUnavailableError, type Database } from '../database.ts';
import { createEventBus } from '../events.ts';
import { createHealthTracker } from '../health.ts';
import { recordInstance, type InstanceInfo } from '../instance.ts';
import { describeSqliteError, migrate, openConnection, queryable, type Connection } from './connection.ts';
import type { FromWriter, SerializedError, ToWriter, WriterData } from './protocol.ts';

export interface SqliteOptions {
  /** The caller's clock, passed to every command. @default Date.now */
  now?: () => number;
  /** A write not committed within this time is reported unavailable (it may still commit: callers are idempotent). @default 10000 */
  writeTimeoutMs?: number;
  instance: InstanceInfo;
}

/**
 * One SQLite file, held by one server process: an exclusive lock on `<file>.lock`, which the kernel releases
 * however the process ends (even `kill -9`), refuses a second server on the same file. The schema is migrated
 * and checked (`quick_check`) before anything is served; writes go to the writer thread (worker.ts).
 */
export async function openSqlite(path: string, options: SqliteOptions): Promise<Database<Commands>> {
  const file = resolve(path);
  const { now = Date.now, writeTimeoutMs = 10_000 } = options;
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (error) {
    throw new StorageOpenError(`cannot create the folder of ${file}: ${(error as Error).message}`);
  }
  const lock = lockInstance(file);
  let reader: Connection | undefined;
  let writer: Worker | undefined;
  try {
    prepareFile(file);
    reader = openConnection(file, { readonly: true });
    writer = await startWriter(file);
  } catch (error) {
    reader?.close();
    lock.close();
    throw error;
  }
  const read = queryable(reader);
  const bus = createEventBus();
  const health = createHealthTracker(now);
  const pending = new Map<number, { name: string; resolve(value: unknown): void; reject(error: Error): void; timer: ReturnType<typeof setTimeout> }>();
  let nextId = 1;
  let closed = false;

  const settle = (id: number, outcome: { value: unknown } | { error: Error }) => {
    const entry = pending.get(id);
    if (!entry) return; // timed out already
    pending.delete(id);
    clearTimeout(entry.timer);
    health.record(entry.name, 'error' in outcome ? outcome.error : undefined);
    if ('error' in outcome) entry.reject(outcome.error);
    else entry.resolve(outcome.value);
  };

  writer.on('message', (message: FromWriter) => {
    if (message.type !== 'results') return;
    for (const result of message.results) {
      if (result.ok) settle(result.id, { value: result.value });
      else settle(result.id, { error: deserialize(result.error) });
    }
    for (const event of message.events) bus.emit(event);
  });
  const failAll = (reason: string) => {
    for (const id of [...pending.keys()]) settle(id, { error: new StorageUnavailableError(reason) });
  };
  writer.on('error', (error) => failAll(`SQLite writer thread failed: ${error.message}`));
  writer.on('exit', () => {
    if (!closed) failAll('SQLite writer thread exited');
  });

  const database: Database<Commands> = {
    dialect: 'sqlite',
    location: file,
    write(name, args) {
      if (closed) return Promise.reject(new StorageUnavailableError('The database is closed'));
      const id = nextId++;
      return new Promise((resolvePromise, reject) => {
        const timer = setTimeout(() => settle(id, { error: new StorageUnavailableError(`SQLite: a write took longer than ${writeTimeoutMs} ms`) }), writeTimeoutMs);
        pending.set(id, { name, resolve: resolvePromise as (value: unknown) => void, reject, timer });
        writer!.postMessage({ type: 'write', id, name, args, now: now() } satisfies ToWriter);
      });
    },
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
      const problems = health.problems();
      return problems.length ? { ok: false, backend: 'sqlite', error: problems.join('; ') } : { ok: true, backend: 'sqlite' };
    },
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((done) => {
        writer!.once('exit', () => done());
        writer!.postMessage({ type: 'close' } satisfies ToWriter);
      });
      failAll('The database is closed');
      reader!.close();
      lock.close();
    },
  };
  return database;
}

function deserialize(error: SerializedError): Error {
  if (error.kind === 'command') return new CommandError(error.code, error.message, error.details);
  if (error.kind === 'unavailable') return new StorageUnavailableError(error.message);
  return new Error(error.message);
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

/**
 * The writer thread. Built, it is `sqlite-writer.js` beside this chunk; from source (tests, the demo), the
 * TypeScript file, loaded through tsx.
 */
function startWriter(file: string): Promise<Worker> {
  const fromSource = import.meta.url.endsWith('.ts');
  const data: WriterData = { file };
  const worker = fromSource
    ? new Worker(
        `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./worker.ts', import.meta.url).href)}); })`,
        { eval: true, workerData: data },
      )
    : new Worker(new URL('./sqlite-writer.js', import.meta.url), { workerData: data });
  return new Promise((resolvePromise, reject) => {
    const onError = (error: Error) => {
      void worker.terminate();
      reject(new StorageOpenError(`cannot start the SQLite writer for ${file}: ${error.message}`));
    };
    worker.once('error', onError);
    worker.once('message', (message: FromWriter) => {
      worker.off('error', onError);
      if (message.type === 'ready') resolvePromise(worker);
    });
  });
}
