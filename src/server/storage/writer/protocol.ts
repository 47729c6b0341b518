import type { ChangeEvent } from '../database.ts';

/**
 * Messages between the main thread and the storage writer thread (writer/worker.ts). Plain data: they cross by
 * structured clone.
 */
export type WriterInit = { backend: 'sqlite'; file: string } | { backend: 'postgres'; url: string; poolSize: number };

/** `interactive`: a request waits for it; `background`: a job's. PostgreSQL gives each its own connections. */
export type Lane = 'interactive' | 'background';

export type WriteRequest = { id: number; name: string; args: unknown; now: number; lane: Lane };

/** Writes are posted in batches: all those made during one turn of the main thread's event loop, in one message. */
export type ToWriter = { type: 'writes'; writes: WriteRequest[] } | { type: 'close' };

export type SerializedError = { kind: 'command' | 'unavailable' | 'bug'; code: string; message: string; details?: Record<string, unknown> };

export type WriteResult = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: SerializedError };

export type FromWriter =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'results'; results: WriteResult[]; events: ChangeEvent[] }
  | { type: 'closed' };

/** What runs the writes inside the thread: SQLite's group commit, or PostgreSQL's transactions on a pool. */
export interface WriteExecutor {
  submit(writes: WriteRequest[]): void;
  close(): Promise<void>;
}

export type Deliver = (results: WriteResult[], events: ChangeEvent[]) => void;
