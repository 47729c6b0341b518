import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors.ts';

export interface AdmissionOptions {
  /** Writes in progress at once; more wait their turn before their body is even read. */
  concurrent: number;
  /** Writes waiting; more are refused at once with 503 and `Retry-After` (the SDK retries with the same key). */
  queued: number;
  /**
   * Writes let in per turn of the event loop. Reads are answered within a turn, so this bounds how long a read can
   * wait behind a flood of writes, whatever the flood.
   */
  perTurn: number;
}

/**
 * Keeps a flood of writes from crowding reads out of the event loop. A write waits for its turn — at most `perTurn`
 * are let in per turn of the loop, at most `concurrent` in progress — and past `queued` waiting it is refused at once
 * with 503 and `Retry-After`: nothing is lost (the SDK keeps the message and retries with its key), and nothing is
 * doubled.
 */
export function admission({ concurrent, queued, perTurn }: AdmissionOptions): MiddlewareHandler {
  let active = 0;
  let admittedThisTurn = 0;
  let turnScheduled = false;
  const waiting: (() => void)[] = [];

  // A new turn: the count starts again and the longest-waiting writes go in, as many as the turn allows.
  const newTurn = () => {
    turnScheduled = false;
    admittedThisTurn = 0;
    admit();
  };
  const scheduleTurn = () => {
    if (!turnScheduled) {
      turnScheduled = true;
      setImmediate(newTurn);
    }
  };
  const admit = () => {
    while (waiting.length && active < concurrent && admittedThisTurn < perTurn) {
      active++;
      admittedThisTurn++;
      waiting.shift()!();
    }
    if (waiting.length || admittedThisTurn) scheduleTurn();
  };

  return async (_c, next) => {
    if (waiting.length >= queued) throw new ApiError(503, 'unavailable', 'The server is busy; retry shortly', undefined, { 'Retry-After': '1' });
    await new Promise<void>((resolve) => {
      waiting.push(resolve);
      admit();
    });
    try {
      await next();
    } finally {
      active--;
      admit();
    }
  };
}
