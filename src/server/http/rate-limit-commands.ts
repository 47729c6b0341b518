import type { Tx } from '../storage/database.ts';

export const rateLimitCommands = {
  /** Counts one hit in the current fixed window of `bucket`; returns the count so far (this hit included). */
  async 'rateLimit.hit'(tx: Tx, { bucket, windowMs }: { bucket: string; windowMs: number }): Promise<{ hits: number; resetAt: number }> {
    const windowStart = tx.now - (tx.now % windowMs);
    const row = await tx.get<{ hits: number }>(
      `INSERT INTO rate_limits (bucket, window_start, hits) VALUES (?, ?, 1)
       ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1
       RETURNING hits`,
      [bucket, windowStart],
    );
    return { hits: Number(row?.hits ?? 1), resetAt: windowStart + windowMs };
  },

  /** Forgets windows that ended before `before`. */
  async 'rateLimit.prune'(tx: Tx, { before }: { before: number }): Promise<number> {
    return (await tx.run('DELETE FROM rate_limits WHERE window_start < ?', [before])).changes;
  },
};
