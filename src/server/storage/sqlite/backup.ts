import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describeSqliteError } from './connection.ts';

/**
 * A consistent copy of a live SQLite database (SQLite's online backup API, through a read-only connection):
 * safe while the server runs and writes. Restore by stopping the server and putting the copy in place.
 */
export async function backupSqlite(file: string, destination: string): Promise<{ pages: number }> {
  const source = resolve(file);
  if (!existsSync(source)) throw new Error(`no database at ${source}`);
  if (existsSync(destination)) throw new Error(`${destination} exists already: choose a new file`);
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new BetterSqlite3(source, { readonly: true, fileMustExist: true });
    const { totalPages } = await db.backup(destination);
    return { pages: totalPages };
  } catch (error) {
    throw new Error(`cannot back up ${source}: ${describeSqliteError(error)}`);
  } finally {
    db?.close();
  }
}
