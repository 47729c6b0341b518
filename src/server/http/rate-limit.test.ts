import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKENDS, testDatabase, type TestDatabaseTarget } from '../../../tests/support/databases.ts';
import type { AppDatabase } from '../storage/open.ts';
import { memoryRateLimiter, parseRateLimit, sharedRateLimiter } from './rate-limit.ts';

describe('memoryRateLimiter', () => {
  it('counts per bucket in fixed windows and forgets ended windows', async () => {
    let clock = 1_000;
    const limiter = memoryRateLimiter(() => clock);
    expect((await limiter.hit('a', 1000)).hits).toBe(1);
    expect(await limiter.hit('a', 1000)).toEqual({ hits: 2, resetAt: 2000 });
    expect((await limiter.hit('b', 1000)).hits).toBe(1);
    clock = 2000;
    expect((await limiter.hit('a', 1000)).hits).toBe(1);
  });
});

describe('parseRateLimit', () => {
  it('reads "requests/seconds" and names the setting when it cannot', () => {
    expect(parseRateLimit('30/600', 'X')).toEqual({ limit: 30, windowSeconds: 600 });
    expect(() => parseRateLimit('30 per minute', 'OMNIWIDGET_RATE_LIMIT_PER_IP')).toThrow('OMNIWIDGET_RATE_LIMIT_PER_IP must look like 30/600 (requests/seconds), not "30 per minute"');
    expect(() => parseRateLimit('0/60', 'X')).toThrow();
  });
});

describe.each(BACKENDS)('sharedRateLimiter on %s', (backend) => {
  let target: TestDatabaseTarget;
  let db: AppDatabase;
  beforeEach(async () => {
    target = await testDatabase(backend);
    db = await target.open();
  });
  afterEach(async () => {
    await db.close();
    await target.remove();
  });

  it('lets each instance see the hits of the others after a sync, without a write per hit', async () => {
    const clock = () => 10_000;
    const [a, b, c] = [1, 2, 3].map(() => sharedRateLimiter(db, { syncMs: 60_000, now: clock }));
    for (let i = 0; i < 5; i++) await a!.hit('ip:1', 60_000);
    for (let i = 0; i < 3; i++) await b!.hit('ip:1', 60_000);
    // Before a sync each instance knows only its own hits.
    expect((await c!.hit('ip:1', 60_000)).hits).toBe(1);
    // Each instance syncs on its own timer; after a round, everyone has added its hits and learned the total.
    for (const limiter of [a, b, c, a, b]) await limiter!.sync();
    expect((await a!.hit('ip:1', 60_000)).hits).toBe(5 + 3 + 1 + 1);
    expect((await b!.hit('ip:1', 60_000)).hits).toBeGreaterThanOrEqual(9);
    const [row] = await db.read((q) => q.all<{ hits: number }>('SELECT hits FROM rate_limits'));
    expect(Number(row!.hits)).toBe(9);
  });
});
