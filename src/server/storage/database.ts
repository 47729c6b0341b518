/**
 * The one storage interface of the helpdesk API, with two backends: embedded SQLite (one machine, the default)
 * and PostgreSQL (several instances). Everything above this file is written once, against `Database`.
 *
 * Writes are *named commands* (`commands.ts`), not closures: on SQLite they run in a writer thread that commits
 * many of them in one transaction (group commit: one fsync for the batch), on PostgreSQL each in its own
 * transaction. A command must not do network I/O: it runs inside a transaction.
 */

export type Dialect = 'sqlite' | 'postgres';

/** SQL with `?` placeholders, written once for both dialects (PostgreSQL's `$n` are produced by its backend). */
export interface Queryable {
  readonly dialect: Dialect;
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  run(sql: string, params?: readonly unknown[]): Promise<{ changes: number }>;
}

/** A change other parts of the server (and other instances) may want to hear of, published on commit only. */
export interface ChangeEvent {
  topic: string;
  data: Record<string, unknown>;
}

/** A write transaction, as a command sees it. */
export interface Tx extends Queryable {
  /** The clock of the caller, read once per command (tests pass their own). Milliseconds since the epoch. */
  readonly now: number;
  /**
   * Serializes transactions on the same key until commit (PostgreSQL: an advisory lock; SQLite has a single
   * writer already). Take it before reading what you are about to change, e.g. a visitor's live conversation.
   */
  lock(key: string): Promise<void>;
  /** Published to every instance once (and only if) the transaction commits. */
  publish(event: ChangeEvent): void;
}

export type Command<A = any, R = any> = (tx: Tx, args: A) => Promise<R>;
export type CommandMap = Record<string, Command>;

export interface DatabaseHealth {
  ok: boolean;
  backend: Dialect;
  /** Why the database is not usable, in one line (never a secret: connection strings are redacted). */
  error?: string;
}

export interface Database<Commands extends CommandMap = CommandMap> {
  readonly dialect: Dialect;
  /** Where the data lives, for logs and `/readyz`: a file path, or a PostgreSQL URL without its password. */
  readonly location: string;
  /** Runs a named write command in a transaction; resolves once it is durably committed. */
  write<K extends keyof Commands & string>(name: K, args: Parameters<Commands[K]>[1]): Promise<Awaited<ReturnType<Commands[K]>>>;
  /** Reads from a consistent snapshot; never waits for writes in progress. */
  read<T>(run: (q: Queryable) => Promise<T>): Promise<T>;
  /** Change events committed by any instance on this database, this one included. Returns the unsubscribe. */
  subscribe(listener: (event: ChangeEvent) => void): () => void;
  /** Tries a real write (and says why not): what `/readyz` reports. */
  check(): Promise<DatabaseHealth>;
  close(): Promise<void>;
}

/**
 * A refusal a command makes on purpose (a conflict, a missing row): its code and message cross the worker-thread
 * boundary intact, so callers can answer the client with them.
 */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The database could not do the work (I/O error, disk full, connection lost, timeout): retry later. */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
}

/** The database cannot be opened at all: a bad file, a locked file, an unreachable server. Said in one line. */
export class StorageOpenError extends Error {
  override readonly name = 'StorageOpenError';
}
