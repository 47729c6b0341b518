import { randomUUID } from 'node:crypto';
import type { Queryable, Tx } from '../storage/database.ts';

/** A job as the runner and the API see it. */
export interface Job {
  id: string;
  kind: string;
  payload: unknown;
  state: 'queued' | 'dead';
  runAt: number;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  dedupeKey: string | null;
  createdAt: number;
}

interface Row {
  id: string;
  kind: string;
  payload: string;
  state: 'queued' | 'dead';
  run_at: number;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  dedupe_key: string | null;
  created_at: number;
}

export const jobFromRow = (row: Row): Job => ({
  id: row.id,
  kind: row.kind,
  payload: JSON.parse(row.payload),
  state: row.state,
  runAt: Number(row.run_at),
  attempts: row.attempts,
  maxAttempts: row.max_attempts,
  lastError: row.last_error,
  dedupeKey: row.dedupe_key,
  createdAt: Number(row.created_at),
});

export interface EnqueueOptions {
  /** Not before this time (ms). @default now */
  runAt?: number;
  /** @default 10 */
  maxAttempts?: number;
  /** At most one job with this key exists: enqueueing it again does nothing (and returns false). */
  dedupeKey?: string;
  /**
   * For jobs that mean "look again at X": while one for X still waits (not yet taken by a worker), another is not
   * added. One taken already does not count — it may have looked before the news that caused this one.
   */
  coalesceKey?: string;
}

/**
 * Enqueues a job inside the caller's transaction: the job exists if and only if the caller's change committed
 * (a transactional outbox — never "commit, then enqueue"). Every instance hears of it on commit.
 */
export async function enqueue(tx: Tx, kind: string, payload: unknown, options: EnqueueOptions = {}): Promise<boolean> {
  const values = [randomUUID(), kind, JSON.stringify(payload), options.runAt ?? tx.now, options.maxAttempts ?? 10, options.dedupeKey ?? null, options.coalesceKey ?? null, tx.now, tx.now];
  const { changes } = options.coalesceKey
    ? await tx.run(
        `INSERT INTO jobs (id, kind, payload, state, run_at, attempts, max_attempts, dedupe_key, coalesce_key, created_at, updated_at)
         SELECT ?, ?, ?, 'queued', ?, 0, ?, ?, ?, ?, ?
         WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE coalesce_key = ? AND state = 'queued' AND locked_by IS NULL)
         ON CONFLICT DO NOTHING`,
        [...values, options.coalesceKey],
      )
    : await tx.run(
        `INSERT INTO jobs (id, kind, payload, state, run_at, attempts, max_attempts, dedupe_key, coalesce_key, created_at, updated_at)
         VALUES (?, ?, ?, 'queued', ?, 0, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        values,
      );
  if (changes) tx.publish({ topic: 'jobs', data: { kind } });
  return changes > 0;
}

export const jobCommands = {
  async 'jobs.enqueue'(tx: Tx, { kind, payload, options }: { kind: string; payload: unknown; options?: EnqueueOptions }): Promise<boolean> {
    return enqueue(tx, kind, payload, options);
  },

  /**
   * Claims up to `limit` due jobs of the given kinds for `worker`, under a lease until `now + leaseMs`. A job whose
   * lease ran out (its instance died) is due again. Claiming counts an attempt, so a job that kills its worker
   * every time still ends in the dead-letter state.
   */
  async 'jobs.claim'(tx: Tx, { worker, kinds, limit, leaseMs }: { worker: string; kinds: string[]; limit: number; leaseMs: number }): Promise<{ jobs: Job[]; nextRunAt: number | null }> {
    if (!kinds.length || limit < 1) return { jobs: [], nextRunAt: null };
    // PostgreSQL: concurrent claimers skip each other's rows instead of queueing behind them.
    const skipLocked = tx.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    const rows = await tx.all<Row>(
      `UPDATE jobs SET locked_by = ?, locked_until = ?, attempts = attempts + 1, updated_at = ?
       WHERE id IN (
         SELECT id FROM jobs
         WHERE state = 'queued' AND run_at <= ? AND (locked_until IS NULL OR locked_until <= ?) AND kind IN (${kinds.map(() => '?').join(', ')})
         ORDER BY run_at LIMIT ?${skipLocked}
       )
       RETURNING *`,
      [worker, tx.now + leaseMs, tx.now, tx.now, tx.now, ...kinds, limit],
    );
    // When the next waiting job falls due, so the runner can be there on time rather than at its next poll.
    const next = await tx.get<{ at: number | null }>(
      `SELECT MIN(run_at) AS at FROM jobs WHERE state = 'queued' AND run_at > ? AND kind IN (${kinds.map(() => '?').join(', ')})`,
      [tx.now, ...kinds],
    );
    return { jobs: rows.map(jobFromRow).sort((a, b) => a.runAt - b.runAt), nextRunAt: next?.at == null ? null : Number(next.at) };
  },

  /** Done: the job goes. Ignored if the lease was lost meanwhile (another instance owns the job now). */
  async 'jobs.complete'(tx: Tx, { id, worker }: { id: string; worker: string }): Promise<boolean> {
    return (await tx.run('DELETE FROM jobs WHERE id = ? AND locked_by = ?', [id, worker])).changes > 0;
  },

  /** A periodic job ran: it waits for its next turn, with a clean slate. */
  async 'jobs.reschedule'(tx: Tx, { id, worker, runAt }: { id: string; worker: string; runAt: number }): Promise<boolean> {
    const { changes } = await tx.run(
      'UPDATE jobs SET run_at = ?, attempts = 0, locked_by = NULL, locked_until = NULL, last_error = NULL, updated_at = ? WHERE id = ? AND locked_by = ?',
      [runAt, tx.now, id, worker],
    );
    return changes > 0;
  },

  /** Failed: retried at `retryAt`, or dead-lettered when `dead`. */
  async 'jobs.fail'(tx: Tx, { id, worker, error, retryAt, dead }: { id: string; worker: string; error: string; retryAt: number; dead: boolean }): Promise<boolean> {
    const { changes } = await tx.run(
      'UPDATE jobs SET state = ?, run_at = ?, locked_by = NULL, locked_until = NULL, last_error = ?, updated_at = ? WHERE id = ? AND locked_by = ?',
      [dead ? 'dead' : 'queued', retryAt, error.slice(0, 2000), tx.now, id, worker],
    );
    return changes > 0;
  },

  /** Keeps a long job's lease. */
  async 'jobs.extend'(tx: Tx, { id, worker, leaseMs }: { id: string; worker: string; leaseMs: number }): Promise<boolean> {
    return (await tx.run('UPDATE jobs SET locked_until = ? WHERE id = ? AND locked_by = ?', [tx.now + leaseMs, id, worker])).changes > 0;
  },

  /** A dead-lettered job is given another round of attempts (an operator fixed the cause). */
  async 'jobs.revive'(tx: Tx, { id }: { id: string }): Promise<boolean> {
    const { changes } = await tx.run(
      "UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?, last_error = NULL, updated_at = ? WHERE id = ? AND state = 'dead'",
      [tx.now, tx.now, id],
    );
    if (changes) tx.publish({ topic: 'jobs', data: {} });
    return changes > 0;
  },
};

export async function listJobs(q: Queryable, { state, kind, limit = 100 }: { state?: 'queued' | 'dead'; kind?: string; limit?: number } = {}): Promise<Job[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (state) where.push('state = ?') && params.push(state);
  if (kind) where.push('kind = ?') && params.push(kind);
  const rows = await q.all<Row>(`SELECT * FROM jobs${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY run_at LIMIT ?`, [...params, limit]);
  return rows.map(jobFromRow);
}
