import pg from 'pg';
import { StorageUnavailableError, type Queryable } from '../database.ts';

/** The URL with its password masked, for logs, errors and `/readyz`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

/** `?` placeholders (outside quoted strings) to PostgreSQL's `$1, $2, …`. */
export function toPostgresPlaceholders(sql: string): string {
  let index = 0;
  return sql.replace(/'(?:[^']|'')*'|\?/g, (match) => (match === '?' ? `$${++index}` : match));
}

// BIGINT (int8) as a JS number: times in ms and counts stay far below 2^53.
export const types = { getTypeParser: (oid: number, format?: string) => (oid === 20 ? Number : pg.types.getTypeParser(oid, format as 'text')) } as pg.CustomTypesConfig;

export function createPool(url: string, max: number, applicationName: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    statement_timeout: 15_000,
    idle_in_transaction_session_timeout: 30_000,
    application_name: applicationName,
    types,
  });
  // An idle connection dropped by the server must not crash the process: the pool replaces it.
  pool.on('error', () => {});
  return pool;
}

/** Connection-level failures, as opposed to a statement's own error: the database is unavailable for now. */
export function isUnavailable(error: unknown): boolean {
  const code = String((error as { code?: unknown })?.code ?? '');
  const message = String((error as Error)?.message ?? '');
  return /^(08|53|57|58)/.test(code) || /^E[A-Z]+$/.test(code) || /Connection terminated|timeout exceeded|Client has encountered a connection error|not queryable/i.test(message);
}

export function describe(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  return code ? `${message} (${code})` : String(message ?? error);
}

/** A `Queryable` over a pool or one client, with SQL converted once per text. */
export function queryableOver(client: pg.Pool | pg.PoolClient, convert: (sql: string) => string = cachedConverter()): Queryable {
  const run = async (sql: string, params: readonly unknown[]) => {
    try {
      return await client.query(convert(sql), params as unknown[]);
    } catch (error) {
      if (isUnavailable(error)) throw new StorageUnavailableError(`PostgreSQL: ${describe(error)}`);
      throw error;
    }
  };
  return {
    dialect: 'postgres',
    all: async <T>(sql: string, params: readonly unknown[] = []) => (await run(sql, params)).rows as T[],
    get: async <T>(sql: string, params: readonly unknown[] = []) => (await run(sql, params)).rows[0] as T | undefined,
    run: async (sql: string, params: readonly unknown[] = []) => ({ changes: (await run(sql, params)).rowCount ?? 0 }),
  };
}

export function cachedConverter(): (sql: string) => string {
  const cache = new Map<string, string>();
  return (sql) => {
    let converted = cache.get(sql);
    if (converted === undefined) cache.set(sql, (converted = toPostgresPlaceholders(sql)));
    return converted;
  };
}
