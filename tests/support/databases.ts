import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { openDatabase, type AppDatabase, type OpenDatabaseOptions } from '../../src/server/storage/open.ts';
import { createTestDatabase } from './postgres.ts';

export const BACKENDS = ['sqlite', 'postgres'] as const;
export type Backend = (typeof BACKENDS)[number];

/** Where a test's database lives: a SQLite file in a temporary folder, or a fresh database on the test PostgreSQL. */
export interface TestDatabaseTarget {
  backend: Backend;
  /** What `openDatabase` needs (and what the CLI takes: `--db` or `DATABASE_URL`). */
  options: Pick<OpenDatabaseOptions, 'file' | 'url'>;
  open(extra?: Omit<OpenDatabaseOptions, 'file' | 'url'>): Promise<AppDatabase>;
  remove(): Promise<void>;
}

export async function testDatabase(backend: Backend): Promise<TestDatabaseTarget> {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'omniwidget-db-'));
    const options = { file: join(dir, 'omniwidget.sqlite') };
    return { backend, options, open: (extra) => openDatabase({ ...options, ...extra }), remove: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const created = await createTestDatabase(inject('postgresUrl'));
  const options = { url: created.url };
  return { backend, options, open: (extra) => openDatabase({ ...options, ...extra }), remove: created.drop };
}
