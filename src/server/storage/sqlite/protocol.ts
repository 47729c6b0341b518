import type { ChangeEvent } from '../database.ts';

/** Messages between the main thread and the SQLite writer thread. Plain data: they cross by structured clone. */
export type ToWriter = { type: 'write'; id: number; name: string; args: unknown; now: number } | { type: 'close' };

export type SerializedError = { kind: 'command' | 'unavailable' | 'bug'; code: string; message: string; details?: Record<string, unknown> };

export type WriteResult = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: SerializedError };

export type FromWriter =
  | { type: 'ready' }
  | { type: 'results'; results: WriteResult[]; events: ChangeEvent[] }
  | { type: 'closed' };

export interface WriterData {
  file: string;
}
