import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKENDS, testDatabase, type TestDatabaseTarget } from '../../../tests/support/databases.ts';
import type { AppDatabase } from '../storage/open.ts';
import { listJobs } from './commands.ts';
import { createJobRunner, defaultBackoffMs, ensurePeriodic, type JobHandlers, type JobRunner } from './runner.ts';

describe('defaultBackoffMs', () => {
  it('doubles from 5 s to a cap of an hour, jittered within the upper half', () => {
    expect(defaultBackoffMs(1, () => 0)).toBe(2500);
    expect(defaultBackoffMs(1, () => 1)).toBe(5000);
    expect(defaultBackoffMs(3, () => 1)).toBe(20_000);
    expect(defaultBackoffMs(30, () => 1)).toBe(3_600_000);
    expect(defaultBackoffMs(30, () => 0)).toBe(1_800_000);
  });
});

describe.each(BACKENDS)('job runner on %s', (backend) => {
  let target: TestDatabaseTarget;
  let db: AppDatabase;
  const runners: JobRunner[] = [];
  beforeEach(async () => {
    target = await testDatabase(backend);
    db = await target.open();
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop(0)));
    await db.close();
    await target.remove();
  });

  const runner = (handlers: JobHandlers, worker: string, extra: Partial<Parameters<typeof createJobRunner>[0]> = {}) => {
    const created = createJobRunner({ db, handlers, worker, pollMs: 50, leaseMs: 2000, ...extra });
    runners.push(created);
    created.start();
    return created;
  };
  const enqueue = (payload: unknown, options = {}) => db.write('jobs.enqueue', { kind: 'work', payload, options });

  it('runs each job exactly once across competing runners, and removes it when done', async () => {
    const ran: number[] = [];
    const handlers: JobHandlers = { work: { run: async (payload: { n: number }) => void ran.push(payload.n) } };
    for (const worker of ['a', 'b', 'c']) runner(handlers, worker, { concurrency: 3 });
    await Promise.all(Array.from({ length: 60 }, (_, n) => enqueue({ n })));
    await expect.poll(() => ran.length, { timeout: 10_000 }).toBe(60);
    expect([...ran].sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, n) => n));
    await expect.poll(async () => (await db.read((q) => listJobs(q))).length).toBe(0);
  });

  it('retries a failing job with backoff, then dead-letters it with its last error', async () => {
    let attempts = 0;
    const failing = async () => {
      attempts++;
      throw new Error(`upstream refused (${attempts})`);
    };
    runner({ work: { maxAttempts: 3, backoffMs: () => 20, run: failing } }, 'a');
    await enqueue({ doomed: true });
    await expect.poll(async () => (await db.read((q) => listJobs(q, { state: 'dead' }))).length, { timeout: 10_000 }).toBe(1);
    expect(attempts).toBe(3);
    const [dead] = await db.read((q) => listJobs(q, { state: 'dead' }));
    expect(dead).toMatchObject({ kind: 'work', attempts: 3, lastError: 'upstream refused (3)', payload: { doomed: true } });
  });

  it('hands the job of a runner that died mid-run to another once its lease runs out', async () => {
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    const seen: string[] = [];
    // "a" takes the job and never finishes (as if killed); its lease is short.
    const hang = async () => {
      seen.push('a');
      await stuck;
    };
    runner({ work: { run: hang, timeoutMs: 60_000 } }, 'a', { leaseMs: 300 });
    await enqueue({ once: true });
    await expect.poll(() => seen).toEqual(['a']);
    await runners[0]!.stop(0);
    runner({ work: { run: async () => void seen.push('b') } }, 'b', { leaseMs: 300 });
    await expect.poll(() => seen, { timeout: 10_000 }).toEqual(['a', 'b']);
    await expect.poll(async () => (await db.read((q) => listJobs(q))).length).toBe(0);
    release();
  });

  it('keeps one periodic job among all instances, runs it on one of them each period, and never dead-letters it', async () => {
    const runs: string[] = [];
    let fail = true;
    const handlers = (worker: string): JobHandlers => ({
      tick: {
        everyMs: 100,
        run: async () => {
          runs.push(worker);
          if (fail) throw new Error('first run fails');
        },
      },
    });
    await Promise.all([ensurePeriodic(db, 'tick'), ensurePeriodic(db, 'tick'), ensurePeriodic(db, 'tick')]);
    expect(await db.read((q) => listJobs(q, { kind: 'tick' }))).toHaveLength(1);
    runner(handlers('a'), 'a');
    runner(handlers('b'), 'b');
    await expect.poll(() => runs.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    fail = false;
    await expect.poll(() => runs.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
    expect(await db.read((q) => listJobs(q, { state: 'dead' }))).toEqual([]);
    expect(await db.read((q) => listJobs(q, { kind: 'tick' }))).toHaveLength(1);
  });
});
