import type { Tx } from '../storage/database.ts';

export const rateLimitCommands = {
  /**
   * Adds each instance's hits since its last sync to the shared counters, and returns every counter's total: one
   * transaction per sync interval per instance, whatever the traffic.
   */
  async 'rateLimit.sync'(tx: Tx, { entries }: { entries: { bucket: string; windowStart: number; add: number }[] }): Promise<number[]> {
    const totals: number[] = [];
    for (const { bucket, windowStart, add } of entries) {
      const row = await tx.get<{ hits: number }>(
        `INSERT INTO rate_limits (bucket, window_start, hits) VALUES (?, ?, ?)
         ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + excluded.hits
         RETURNING hits`,
        [bucket, windowStart, add],
      );
      totals.push(Number(row?.hits ?? add));
    }
    return totals;
  },

  /** Forgets windows that ended before `before`. */
  async 'rateLimit.prune'(tx: Tx, { before }: { before: number }): Promise<number> {
    return (await tx.run('DELETE FROM rate_limits WHERE window_start < ?', [before])).changes;
  },
};
