import type { Queryable, Tx } from './database.ts';

/** Small values every instance must agree on: made once by whichever instance gets there first. */
export const settingsCommands = {
  /** The value stored under `key`, or `candidate` stored now if there is none. */
  async 'settings.ensure'(tx: Tx, { key, candidate }: { key: string; candidate: string }): Promise<string> {
    await tx.run('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING', [key, candidate, tx.now]);
    return (await tx.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]))!.value;
  },
  /**
   * A named lease: true if `holder` has it now (free, expired, or already its own), for `ttlMs`. For work that must
   * not be done twice at once across instances, and must not stay blocked if its holder dies.
   */
  async 'leases.acquire'(tx: Tx, { name, holder, ttlMs }: { name: string; holder: string; ttlMs: number }): Promise<boolean> {
    const key = `lease:${name}`;
    await tx.lock(key);
    const current = await tx.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]);
    const lease = current ? (JSON.parse(current.value) as { holder: string; until: number }) : null;
    if (lease && lease.holder !== holder && lease.until > tx.now) return false;
    await tx.run('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at', [
      key,
      JSON.stringify({ holder, until: tx.now + ttlMs }),
      tx.now,
    ]);
    return true;
  },
  async 'leases.release'(tx: Tx, { name, holder }: { name: string; holder: string }): Promise<void> {
    const key = `lease:${name}`;
    const current = await tx.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]);
    if (current && (JSON.parse(current.value) as { holder: string }).holder === holder) await tx.run('DELETE FROM settings WHERE key = ?', [key]);
  },
  async 'settings.put'(tx: Tx, { key, value }: { key: string; value: string }): Promise<void> {
    await tx.run('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at', [key, value, tx.now]);
  },
};

export async function getSetting(q: Queryable, key: string): Promise<string | null> {
  return (await q.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]))?.value ?? null;
}
