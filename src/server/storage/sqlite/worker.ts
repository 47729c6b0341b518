import { parentPort, workerData } from 'node:worker_threads';
import { commands } from '../commands.ts';
import { CommandError, type ChangeEvent, type Tx } from '../database.ts';
import { describeSqliteError, isUnavailable, openConnection, queryable, statementCache } from './connection.ts';
import type { FromWriter, SerializedError, ToWriter, WriteResult, WriterData } from './protocol.ts';

/**
 * The SQLite writer thread: the only connection that writes. Commands that arrive while a batch commits wait,
 * then commit together in the next one — one fsync for all of them (group commit) — and nothing of it blocks
 * the main thread, which keeps answering reads from its own connection (WAL lets readers ignore the writer).
 * Each command runs under a savepoint, so one that fails is undone alone and the others still commit.
 */

const MAX_BATCH = 512;
const port = parentPort!;
const { file } = workerData as WriterData;
const db = openConnection(file);
const base = queryable(db, statementCache(db));
const queue: Extract<ToWriter, { type: 'write' }>[] = [];
let running = false;
let closing = false;

const post = (message: FromWriter) => port.postMessage(message);

function serialize(error: unknown): SerializedError {
  if (error instanceof CommandError) return { kind: 'command', code: error.code, message: error.message, details: error.details };
  if (isUnavailable(error)) return { kind: 'unavailable', code: String((error as { code: string }).code), message: `SQLite: ${describeSqliteError(error)}` };
  return { kind: 'bug', code: 'internal', message: (error as Error)?.stack ?? String(error) };
}

async function commitBatch(batch: typeof queue): Promise<void> {
  const results: WriteResult[] = [];
  let events: ChangeEvent[] = [];
  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (error) {
    post({ type: 'results', results: batch.map(({ id }) => ({ id, ok: false, error: serialize(error) })), events: [] });
    return;
  }
  let aborted: unknown;
  for (const op of batch) {
    if (aborted) {
      results.push({ id: op.id, ok: false, error: serialize(aborted) });
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
      results.push({ id: op.id, ok: false, error: serialize(error) });
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
    const failure = serialize(error);
    for (const result of results) if (result.ok) Object.assign(result, { ok: false, value: undefined, error: failure });
    events = [];
  }
  post({ type: 'results', results, events });
}

async function drain(): Promise<void> {
  if (running) return;
  running = true;
  while (queue.length) await commitBatch(queue.splice(0, MAX_BATCH));
  running = false;
  if (closing) {
    db.close();
    post({ type: 'closed' });
    port.close();
  }
}

port.on('message', (message: ToWriter) => {
  if (message.type === 'close') closing = true;
  else queue.push(message);
  // A macrotask later, so every command already posted joins this batch.
  setImmediate(() => void drain());
});

post({ type: 'ready' });
