import type { AppDatabase } from '../storage/open.ts';
import type { JobHandler } from './runner.ts';

/** Housekeeping, once an hour on one instance: forget rate-limit windows and live-stream history older than a day. */
export function maintenanceJob(db: AppDatabase, now: () => number = Date.now): JobHandler {
  return {
    everyMs: 3_600_000,
    async run() {
      await db.write('rateLimit.prune', { before: now() - 24 * 3_600_000 });
      await db.write('changes.prune', { before: now() - 24 * 3_600_000 });
    },
  };
}
