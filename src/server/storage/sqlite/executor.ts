import { CommandError, type ChangeEvent, type Tx } from '../database.ts';
import { commands } from '../commands.ts';
import type { Deliver, SerializedError, WriteExecutor, WriteRequest, WriteResult } from '../writer/protocol.ts';
import { describeSqliteError, isUnavailable, openConnection, queryable, statementCache } from './connection.ts';

const MAX_BATCH = 512;
/** Jobs' writes commit in smaller batches, so a request's write never waits behind much background work. */
const MAX_BACKGROUND_BATCH = 32;

export function serializeSqliteError(error: unknown): SerializedError {
  if (error instanceof CommandError) return { kind: 'command', code: error.code, message: error.message, details: error.details };
  if (isUnavailable(error)) return { kind: 'unavailable', code: String((error as { code: string }).code), message: `SQLite: ${describeSqliteError(error)}` };
  return { kind: 'bug', code: 'internal', message: (error as Error)?.stack ?? String(error) };
}

/**
 * SQLite's side of the writer thread: the only connection that writes. Writes that arrive while a batch commits
 * wait, then commit together in the next one — one fsync for all of them (group commit). Each runs under a
 * savepoint, so one that fails is undone alone and the others still commit.
 */
export function sqliteExecutor(file: string, deliver: Deliver): WriteExecutor {
  const db = openConnection(file);
  const base = queryable(db, statementCache(db));
  let queue: WriteRequest[] = [];
  let running = false;
  let idle: (() => void) | undefined;

  async function commitBatch(batch: WriteRequest[]): Promise<void> {
    const results: WriteResult[] = [];
    let events: ChangeEvent[] = [];
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      deliver(batch.map(({ id }) => ({ id, ok: false, error: serializeSqliteError(error) })), []);
      return;
    }
    let aborted: unknown;
    for (const op of batch) {
      if (aborted) {
        results.push({ id: op.id, ok: false, error: serializeSqliteError(aborted) });
        continue;
      }
      const published: ChangeEvent[] = [];
      const tx: Tx = { ...base, now: op.now, lock: async () => {}, publish: (event) => void published.push(event) };
      db.exec('SAVEPOINT op');
      try {
        const command = commands[op.name as keyof typeof commands] as ((tx: Tx, args: unknown) => Promise<unknown>) | undefined;
        if (!command) throw new Error(`Unknown storage command "${op.name}"`);
        const value = await command(tx, op.args);
        db.exec('RELEASE op');
        results.push({ id: op.id, ok: true, value });
        events.push(...published);
      } catch (error) {
        results.push({ id: op.id, ok: false, error: serializeSqliteError(error) });
        try {
          db.exec('ROLLBACK TO op');
          db.exec('RELEASE op');
        } catch (rollbackError) {
          // The transaction itself is gone (disk full, I/O error): nothing more of this batch can commit.
          aborted = rollbackError;
        }
      }
    }
    try {
      if (aborted) throw aborted;
      db.exec('COMMIT');
    } catch (error) {
      try {
        if (db.inTransaction) db.exec('ROLLBACK');
      } catch {
        /* the connection is beyond rollback; the next BEGIN reports it */
      }
      const failure = serializeSqliteError(error);
      for (const result of results) if (result.ok) Object.assign(result, { ok: false, value: undefined, error: failure });
      events = [];
    }
    deliver(results, events);
  }

  /** Requests' writes first (a client waits on each), all together; jobs' writes when none wait. */
  function nextBatch(): WriteRequest[] {
    const interactive: WriteRequest[] = [];
    const rest: WriteRequest[] = [];
    for (const write of queue) (write.lane !== 'background' && interactive.length < MAX_BATCH ? interactive : rest).push(write);
    if (!interactive.length) return queue.splice(0, MAX_BACKGROUND_BATCH);
    queue = rest;
    return interactive;
  }

  async function drain(): Promise<void> {
    if (running) return;
    running = true;
    while (queue.length) await commitBatch(nextBatch());
    running = false;
    idle?.();
  }

  return {
    submit(writes) {
      queue.push(...writes);
      // A macrotask later, so every write already posted joins this batch.
      setImmediate(() => void drain());
    },
    async close() {
      if (running || queue.length) await new Promise<void>((resolve) => (idle = resolve));
      db.close();
    },
  };
}
