import { CommandError, type Queryable, type Tx } from '../storage/database.ts';
import { changedPaths } from './changes.ts';

/**
 * The configuration's history: every version ever in force (widgets and helpdesk, in the file's format), the newest
 * being the current one. Versions are only ever added — a rollback is a new version with an old document — so the
 * history says who changed what, when, and from where.
 */

export type SettingsSource = 'file' | 'browser' | 'import' | 'rollback';

export interface SettingsVersionRow {
  id: number;
  document: string;
  author: string;
  source: SettingsSource;
  note: string | null;
  file_hash: string | null;
  changes: string;
  created_at: number;
}

/** Everyone hears of a new version on commit: each instance reloads its configuration from the database. */
export const SETTINGS_TOPIC = 'settings';
const LOCK = 'settings.versions';
const PREVIEW_TTL_MS = 3600_000;

async function latest(q: Queryable): Promise<SettingsVersionRow | undefined> {
  return q.get<SettingsVersionRow>('SELECT * FROM settings_versions ORDER BY id DESC LIMIT 1');
}

async function insert(tx: Tx, row: Omit<SettingsVersionRow, 'id' | 'created_at' | 'changes'>, previous: SettingsVersionRow | undefined): Promise<number> {
  const changes = changedPaths(previous ? JSON.parse(previous.document) : undefined, JSON.parse(row.document));
  const inserted = await tx.get<{ id: number }>(
    'INSERT INTO settings_versions (document, author, source, note, file_hash, changes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id',
    [row.document, row.author, row.source, row.note, row.file_hash, JSON.stringify(changes), tx.now],
  );
  const id = Number(inserted!.id);
  tx.publish({ topic: SETTINGS_TOPIC, data: { version: id } });
  return id;
}

export const settingsVersionCommands = {
  /**
   * A new version from the browser, an import or a rollback. `baseVersion` is the version the editor started from:
   * if another one was saved since, nothing is written (`conflict`), so two admins never undo each other unseen.
   * The document must already be validated (the caller parses it with the server's schemas).
   */
  async 'settings.save'(
    tx: Tx,
    args: { document: string; author: string; source: Exclude<SettingsSource, 'file'>; note: string | null; baseVersion: number | null },
  ): Promise<{ version: number }> {
    await tx.lock(LOCK);
    const previous = await latest(tx);
    const current = previous ? Number(previous.id) : null;
    if (args.baseVersion !== current)
      throw new CommandError('conflict', `The settings changed since you opened them (version ${current ?? 'none'}, yours ${args.baseVersion ?? 'none'}): reload and apply your change again`);
    return { version: await insert(tx, { document: args.document, author: args.author, source: args.source, note: args.note, file_hash: null }, previous) };
  },
  /**
   * The configuration file, read at start or on SIGHUP: it becomes the current version if it changed since the
   * last time it was read (by any instance), else nothing happens — what was saved in the browser since stays.
   */
  async 'settings.importFile'(tx: Tx, args: { document: string; hash: string; path: string }): Promise<{ version: number | null }> {
    await tx.lock(LOCK);
    const lastFile = await tx.get<{ file_hash: string }>("SELECT file_hash FROM settings_versions WHERE source = 'file' ORDER BY id DESC LIMIT 1");
    if (lastFile?.file_hash === args.hash) return { version: null };
    const previous = await latest(tx);
    return { version: await insert(tx, { document: args.document, author: `file ${args.path}`, source: 'file', note: null, file_hash: args.hash }, previous) };
  },
  /** A widget as edited, for the live preview: kept an hour, under an id no one can guess. */
  async 'settings.putPreview'(tx: Tx, { id, widget }: { id: string; widget: string }): Promise<void> {
    await tx.run('DELETE FROM preview_drafts WHERE expires_at < ?', [tx.now]);
    await tx.run('INSERT INTO preview_drafts (id, widget, expires_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET widget = excluded.widget, expires_at = excluded.expires_at', [
      id,
      widget,
      tx.now + PREVIEW_TTL_MS,
    ]);
  },
};

export async function currentSettings(q: Queryable): Promise<SettingsVersionRow | null> {
  return (await latest(q)) ?? null;
}

export async function getSettingsVersion(q: Queryable, id: number): Promise<SettingsVersionRow | null> {
  return (await q.get<SettingsVersionRow>('SELECT * FROM settings_versions WHERE id = ?', [id])) ?? null;
}

export async function listSettingsVersions(q: Queryable, limit: number, before?: number): Promise<Omit<SettingsVersionRow, 'document'>[]> {
  return q.all(
    `SELECT id, author, source, note, file_hash, changes, created_at FROM settings_versions ${before ? 'WHERE id < ?' : ''} ORDER BY id DESC LIMIT ?`,
    before ? [before, limit] : [limit],
  );
}

export async function getPreview(q: Queryable, id: string, now: number): Promise<string | null> {
  return (await q.get<{ widget: string }>('SELECT widget FROM preview_drafts WHERE id = ? AND expires_at >= ?', [id, now]))?.widget ?? null;
}
