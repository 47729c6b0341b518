import type { Tx } from '../storage/database.ts';

export interface SharedPresence {
  /** This instance may ask Chaport now; every other instance uses what it records. */
  claimed: boolean;
  online: boolean | null;
  fetchedAt: number | null;
}

interface Row {
  online: number | null;
  fetched_at: number | null;
}

export const presenceCommands = {
  /**
   * One Chaport call per account per interval across every instance: the first instance to find the account due
   * claims the refresh (a conditional upsert only one can win); the others get the last recorded answer.
   */
  async 'presence.claim'(tx: Tx, { account, refreshMs }: { account: string; refreshMs: number }): Promise<SharedPresence> {
    const won = await tx.get(
      `INSERT INTO presence_cache (account_key, attempted_at) VALUES (?, ?)
       ON CONFLICT (account_key) DO UPDATE SET attempted_at = excluded.attempted_at
       WHERE presence_cache.attempted_at IS NULL OR presence_cache.attempted_at <= ?
       RETURNING account_key`,
      [account, tx.now, tx.now - refreshMs],
    );
    const row = await tx.get<Row>('SELECT online, fetched_at FROM presence_cache WHERE account_key = ?', [account]);
    return { claimed: !!won, online: row?.online === null || row?.online === undefined ? null : row.online === 1, fetchedAt: row?.fetched_at == null ? null : Number(row.fetched_at) };
  },

  async 'presence.record'(tx: Tx, { account, online }: { account: string; online: boolean }): Promise<void> {
    await tx.run('UPDATE presence_cache SET online = ?, fetched_at = ? WHERE account_key = ?', [online ? 1 : 0, tx.now, account]);
  },
};

/** The coordinator the presence service uses when instances share a database. */
export function databaseCoordinator(db: { write(name: 'presence.claim', args: { account: string; refreshMs: number }): Promise<SharedPresence>; write(name: 'presence.record', args: { account: string; online: boolean }): Promise<void> }) {
  return {
    claim: (account: string, refreshMs: number) => db.write('presence.claim', { account, refreshMs }),
    record: (account: string, online: boolean) => db.write('presence.record', { account, online }),
  };
}
