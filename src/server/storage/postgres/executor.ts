import type pg from 'pg';
import { commands, EPHEMERAL_COMMANDS, type Commands } from '../commands.ts';
import { CommandError, StorageUnavailableError, type ChangeEvent, type Tx } from '../database.ts';
import type { Deliver, SerializedError, WriteExecutor, WriteResult } from '../writer/protocol.ts';
import { cachedConverter, createPool, describe, isUnavailable, queryableOver } from './pool.ts';

/** The channel every instance LISTENs on: committed change events, and job wake-ups. */
export const CHANNEL = 'omniwidget';
/** NOTIFY payloads are capped at 8000 bytes by PostgreSQL; events carry ids, never content. */
const MAX_EVENT_BYTES = 7900;
const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock

/** Events as JSON arrays of at most MAX_EVENT_BYTES each. */
export function notifyPayloads(events: ChangeEvent[]): string[] {
  const payloads: string[] = [];
  let batch: string[] = [];
  let size = 2;
  for (const event of events) {
    const json = JSON.stringify(event);
    if (json.length + 2 > MAX_EVENT_BYTES) throw new Error(`Change event "${event.topic}" is too large to publish`);
    if (size + json.length + 1 > MAX_EVENT_BYTES) {
      payloads.push(`[${batch.join(',')}]`);
      batch = [];
      size = 2;
    }
    batch.push(json);
    size += json.length + 1;
  }
  if (batch.length) payloads.push(`[${batch.join(',')}]`);
  return payloads;
}

function serialize(error: unknown): SerializedError {
  if (error instanceof CommandError) return { kind: 'command', code: error.code, message: error.message, details: error.details };
  if (error instanceof StorageUnavailableError) return { kind: 'unavailable', code: 'unavailable', message: error.message };
  return { kind: 'bug', code: 'internal', message: (error as Error)?.stack ?? String(error) };
}

/**
 * Runs one command in its own transaction on a pooled connection. Change events are NOTIFYed inside the transaction,
 * so every instance — this one included, through its LISTEN connection — hears of a change exactly when it commits.
 * Serialization failures and deadlocks are retried.
 */
export async function runTransaction(pool: pg.Pool, name: string, args: unknown, now: number, convert = cachedConverter()): Promise<unknown> {
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
      // Counters and caches need not wait for the WAL flush: a hot counter row is then never held for an fsync.
      if (EPHEMERAL_COMMANDS.has(name as keyof Commands)) await client.query('SET LOCAL synchronous_commit = off');
      const published: ChangeEvent[] = [];
      const tx: Tx = {
        ...queryableOver(client, convert),
        now,
        async lock(key) {
          await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
        },
        publish: (event) => void published.push(event),
      };
      const result = await command(tx, args);
      // All of a transaction's events in as few NOTIFYs as fit (one, almost always): each is a round trip.
      for (const payload of notifyPayloads(published)) await client.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      const code = String((error as { code?: unknown }).code ?? '');
      if (RETRYABLE.has(code) && attempt < 4) continue;
      if (error instanceof CommandError || error instanceof StorageUnavailableError) throw error;
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

/**
 * PostgreSQL's side of the writer thread: each write its own transaction, as many at once as the pool has
 * connections (PostgreSQL shares WAL flushes between concurrent commits). The driver's protocol work stays off the
 * main thread, which keeps answering reads.
 */
export function postgresExecutor(url: string, poolSize: number, deliver: Deliver): WriteExecutor {
  // Requests have connections of their own: a long queue of background jobs never delays an acknowledgement.
  const pools = { interactive: createPool(url, Math.max(2, Math.ceil(poolSize / 3)), 'omniwidget-writer'), background: createPool(url, poolSize, 'omniwidget-jobs') };
  const convert = cachedConverter();
  let done: WriteResult[] = [];
  let inFlight = 0;
  let idle: (() => void) | undefined;
  const flush = () => {
    const results = done;
    done = [];
    if (results.length) deliver(results, []);
  };
  return {
    submit(writes) {
      for (const write of writes) {
        inFlight++;
        runTransaction(pools[write.lane], write.name, write.args, write.now, convert).then(
          (value) => done.push({ id: write.id, ok: true, value }),
          (error: unknown) => done.push({ id: write.id, ok: false, error: serialize(error) }),
        ).finally(() => {
          // Results finished in the same turn travel back together.
          if (done.length === 1) setImmediate(flush);
          if (--inFlight === 0) idle?.();
        });
      }
    },
    async close() {
      if (inFlight) await new Promise<void>((resolve) => (idle = resolve));
      flush();
      await Promise.all([pools.interactive.end(), pools.background.end()]);
    },
  };
}
