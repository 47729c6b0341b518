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
  };
}

/** Several instances: counters in the shared database, so a limit holds however requests are spread. */
export function databaseRateLimiter(db: AppDatabase): RateLimiter {
  return { hit: (bucket, windowMs) => db.write('rateLimit.hit', { bucket, windowMs }) };
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
