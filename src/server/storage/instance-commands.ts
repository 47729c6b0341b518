import type { Tx } from './database.ts';
import type { InstanceInfo } from './instance.ts';

/** Instances unseen this long are forgotten. */
const FORGET_AFTER_MS = 24 * 3600_000;

export const instanceCommands = {
  async 'instances.seen'(tx: Tx, instance: InstanceInfo): Promise<void> {
    await tx.run(
      'INSERT INTO instances (id, host, pid, started_at, seen_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at',
      [instance.id, instance.host, instance.pid, instance.startedAt, tx.now],
    );
    await tx.run('DELETE FROM instances WHERE seen_at < ?', [tx.now - FORGET_AFTER_MS]);
  },
};
