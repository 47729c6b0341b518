import type { Context, MiddlewareHandler } from 'hono';
import type { AppDatabase } from '../storage/open.ts';
import { ApiError } from './errors.ts';

/** At most `limit` requests per `windowSeconds` in one bucket. */
export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

export interface RateLimiter {
  /** Counts a hit; returns the hits in the current window so far, and when it ends. */
  hit(bucket: string, windowMs: number): Promise<{ hits: number; resetAt: number }>;
  /** The hits in the current window so far, without counting one (sign-in counts only failures). */
  peek(bucket: string, windowMs: number): Promise<{ hits: number; resetAt: number }>;
}

/** One instance: counters in memory, pruned as windows end. */
export function memoryRateLimiter(now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { hits: number; resetAt: number }>();
  let nextPrune = 0;
  return {
    async hit(bucket, windowMs) {
      const at = now();
      if (at >= nextPrune) {
        for (const [key, window] of windows) if (window.resetAt <= at) windows.delete(key);
        nextPrune = at + 60_000;
      }
      const start = at - (at % windowMs);
      const key = `${bucket} ${start}`;
      const window = windows.get(key) ?? { hits: 0, resetAt: start + windowMs };
      window.hits++;
      windows.set(key, window);
      return { ...window };
    },
    async peek(bucket, windowMs) {
      const at = now();
      const start = at - (at % windowMs);
      return { hits: windows.get(`${bucket} ${start}`)?.hits ?? 0, resetAt: start + windowMs };
    },
  };
}

/**
 * Several instances: counters shared through the database, without a database write per request. Each instance
 * counts in memory and, every `syncMs`, adds its new hits to the shared counter and learns the total. A request is
 * judged on the last known total plus this instance's hits since: between syncs, other instances' newest hits are
 * not yet seen, so a limit may be overshot by what they admit in one interval — a fair price for a hot path that
 * never waits on the database (a row every request updates would serialize them all).
 */
export function sharedRateLimiter(db: AppDatabase, { syncMs = 500, now = Date.now }: { syncMs?: number; now?: () => number } = {}): RateLimiter & { sync(): Promise<void> } {
  const counters = new Map<string, { bucket: string; windowStart: number; resetAt: number; shared: number; unsynced: number }>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let syncing: Promise<void> | undefined;

  async function sync(): Promise<void> {
    timer = undefined;
    const at = now();
    for (const [key, counter] of counters) if (counter.resetAt <= at) counters.delete(key);
    const batch = [...counters.values()].map((counter) => ({ counter, add: counter.unsynced }));
    if (!batch.length) return;
    for (const { counter, add } of batch) counter.unsynced -= add;
    try {
      const totals = await db.write('rateLimit.sync', { entries: batch.map(({ counter, add }) => ({ bucket: counter.bucket, windowStart: counter.windowStart, add })) });
      batch.forEach(({ counter }, index) => (counter.shared = totals[index]!));
    } catch {
      // The database is away: keep counting locally, and add these hits next time.
      for (const { counter, add } of batch) counter.unsynced += add;
    }
    if (batch.some(({ counter }) => counter.unsynced > 0 || counter.resetAt > now())) schedule();
  }
  const schedule = () => {
    if (!timer) timer = setTimeout(() => void (syncing = sync()), syncMs);
    timer.unref?.();
  };

  return {
    async hit(bucket, windowMs) {
      const at = now();
      const windowStart = at - (at % windowMs);
      const key = `${bucket} ${windowStart}`;
      let counter = counters.get(key);
      if (!counter) counters.set(key, (counter = { bucket, windowStart, resetAt: windowStart + windowMs, shared: 0, unsynced: 0 }));
      counter.unsynced++;
      schedule();
      return { hits: counter.shared + counter.unsynced, resetAt: counter.resetAt };
    },
    async peek(bucket, windowMs) {
      const at = now();
      const windowStart = at - (at % windowMs);
      const counter = counters.get(`${bucket} ${windowStart}`);
      return { hits: counter ? counter.shared + counter.unsynced : 0, resetAt: windowStart + windowMs };
    },
    async sync() {
      clearTimeout(timer);
      await syncing;
      await sync();
    },
  };
}

/**
 * Refuses with 429 and `Retry-After` once any bucket the request falls in is over its limit.
 * `buckets` names them for this request, e.g. `[['ip:1.2.3.4', perIp], ['widget:acme', perWidget]]`.
 */
export function rateLimit(limiter: RateLimiter, buckets: (c: Context) => [string, RateLimit][], now: () => number = Date.now): MiddlewareHandler {
  return async (c, next) => {
    for (const [bucket, { limit, windowSeconds }] of buckets(c)) {
      const { hits, resetAt } = await limiter.hit(bucket, windowSeconds * 1000);
      if (hits > limit) {
        const retryAfter = Math.max(1, Math.ceil((resetAt - now()) / 1000));
        throw new ApiError(429, 'rate_limited', `Too many requests: at most ${limit} per ${windowSeconds} s; retry in ${retryAfter} s`, undefined, {
          'Retry-After': String(retryAfter),
        });
      }
    }
    await next();
  };
}

/** `"30/600"`: 30 requests per 600 seconds. */
export function parseRateLimit(text: string, name: string): RateLimit {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) throw new Error(`${name} must look like 30/600 (requests/seconds), not "${text}"`);
  return { limit: Number(match[1]), windowSeconds: Number(match[2]) };
}
