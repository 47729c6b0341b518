import { StorageUnavailableError } from './database.ts';

/** A command that failed for want of the database within this long makes the database "not ready". */
const REMEMBER_MS = 60_000;

/**
 * What `/readyz` knows beyond its own probe: a probe can write one row while a damaged page makes every message
 * fail. The last outcome of each command is kept; a command whose last run failed for the database's sake within
 * a minute is reported, until it succeeds again.
 */
export function createHealthTracker(now: () => number = Date.now) {
  const failing = new Map<string, { message: string; at: number }>();
  return {
    record(command: string, error?: unknown): void {
      if (error instanceof StorageUnavailableError) failing.set(command, { message: error.message, at: now() });
      else if (!error) failing.delete(command);
    },
    /** One line per command failing lately, or none. */
    problems(): string[] {
      const since = now() - REMEMBER_MS;
      return [...failing].filter(([, failure]) => failure.at >= since).map(([command, failure]) => `${command}: ${failure.message}`);
    },
  };
}
