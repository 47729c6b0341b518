import type { Commands } from './commands.ts';
import { StorageOpenError, type Database } from './database.ts';
import { thisInstance, type InstanceInfo } from './instance.ts';
import { openPostgres } from './postgres/open.ts';
import { openSqlite } from './sqlite/open.ts';

export type AppDatabase = Database<Commands>;

export interface OpenDatabaseOptions {
  /** `postgres://…` (or `postgresql://…`): PostgreSQL, for several instances. */
  url?: string | undefined;
  /** The SQLite file, when there is no `url`: the embedded default for one machine. */
  file?: string | undefined;
  /** @default Date.now */
  now?: () => number;
  instance?: InstanceInfo;
  /** PostgreSQL connections per instance. @default 10 */
  poolSize?: number;
  /**
   * SQLite only: open without the instance lock, beside a running server (the command line's `token` commands).
   * SQLite still serializes the writes of both; background work must not run in such a process.
   */
  shareFile?: boolean;
}

/** Opens (creating and migrating as needed) the database the options name. Throws StorageOpenError, in one line. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<AppDatabase> {
  const now = options.now ?? Date.now;
  const instance = options.instance ?? thisInstance(now);
  if (options.url) {
    if (!/^postgres(ql)?:\/\//i.test(options.url)) throw new StorageOpenError('DATABASE_URL must be a postgres:// URL (leave it unset for the embedded SQLite database)');
    return openPostgres(options.url, { now, instance, ...(options.poolSize ? { poolSize: options.poolSize } : {}) });
  }
  if (!options.file) throw new StorageOpenError('no database: give a SQLite file (--db) or a PostgreSQL URL (DATABASE_URL)');
  return openSqlite(options.file, { now, instance, lock: !options.shareFile });
}
