import type { Queryable, Tx } from './database.ts';

/** Small values every instance must agree on: made once by whichever instance gets there first. */
export const settingsCommands = {
  /** The value stored under `key`, or `candidate` stored now if there is none. */
  async 'settings.ensure'(tx: Tx, { key, candidate }: { key: string; candidate: string }): Promise<string> {
    await tx.run('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING', [key, candidate, tx.now]);
    return (await tx.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]))!.value;
  },
  async 'settings.put'(tx: Tx, { key, value }: { key: string; value: string }): Promise<void> {
    await tx.run('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at', [key, value, tx.now]);
  },
};

export async function getSetting(q: Queryable, key: string): Promise<string | null> {
  return (await q.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]))?.value ?? null;
}
