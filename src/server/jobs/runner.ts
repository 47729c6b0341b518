import type { Logger } from '../log.ts';
import type { AppDatabase } from '../storage/open.ts';
import { backgroundWork } from '../storage/writer/client.ts';
import type { Job } from './commands.ts';

export interface JobContext {
  job: Job;
  /** Aborted when the job runs out of time or the server shuts down: pass it to every request the job makes. */
  signal: AbortSignal;
}

export interface JobHandler<P = any> {
  run(payload: P, context: JobContext): Promise<void>;
  /** Attempts before the job is dead-lettered (overrides the job's own). Ignored for periodic jobs, which never die. */
  maxAttempts?: number;
  /** Delay before attempt `n + 1` after `n` failures. @default exponential from 5 s to 1 h, with jitter */
  backoffMs?(failures: number, random: () => number): number;
  /** Periodic: after each run, success or failure, the job comes back this much later (read at each run). */
  everyMs?: number | (() => number);
  /** @default ¾ of the lease */
  timeoutMs?: number;
}

export type JobHandlers = Record<string, JobHandler>;

export interface JobRunnerOptions {
  db: AppDatabase;
  handlers: JobHandlers;
  /** This instance's id: who holds a claimed job's lease. */
  worker: string;
  /** Jobs run at once by this instance. @default 4 */
  concurrency?: number;
  /** How often to look for due jobs when nobody said there were any (retries, other instances' enqueues missed). @default 1000 */
  pollMs?: number;
  /** A claimed job belongs to this instance for this long; if it dies, another takes the job after. @default 60000 */
  leaseMs?: number;
  log?: Logger;
  now?: () => number;
  random?: () => number;
}

export interface JobRunner {
  start(): void;
  /** Stops claiming; waits up to `drainMs` for running jobs, then aborts them (their leases expire for another instance). */
  stop(drainMs?: number): Promise<void>;
  /** Look for due jobs now. */
  wake(): void;
  readonly running: number;
}

/** Exponential, from 5 s, doubling, capped at an hour, with equal jitter so instances do not retry in step. */
export function defaultBackoffMs(failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(3_600_000, 5000 * 2 ** Math.max(0, failures - 1));
  return ceiling / 2 + (random() * ceiling) / 2;
}

/**
 * Runs jobs from the durable queue. Delivery is at least once — a job whose instance dies mid-run is run again
 * after its lease — so handlers are idempotent (unique keys on external ids); with that, their effects happen
 * exactly once across any number of instances.
 */
export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { db, handlers, worker, concurrency = 4, pollMs = 1000, leaseMs = 60_000, log, now = Date.now, random = Math.random } = options;
  const kinds = Object.keys(handlers);
  const active = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let started = false;
  let stopped = false;
  let claiming = false;
  let claimAgain = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let unsubscribe = () => {};

  async function execute(job: Job, controller: AbortController): Promise<void> {
    const handler = handlers[job.kind]!;
    const timeoutMs = handler.timeoutMs ?? Math.floor(leaseMs * 0.75);
    const timeout = setTimeout(() => controller.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    let failure: unknown;
    try {
      await handler.run(job.payload, { job, signal: controller.signal });
    } catch (error) {
      failure = controller.signal.aborted ? controller.signal.reason : error;
    } finally {
      clearTimeout(timeout);
    }
    try {
      if (handler.everyMs !== undefined) {
        const every = typeof handler.everyMs === 'function' ? handler.everyMs() : handler.everyMs;
        if (failure) log?.warn('job.failed', { kind: job.kind, id: job.id, attempts: job.attempts, error: (failure as Error)?.message ?? String(failure) });
        await db.write('jobs.reschedule', { id: job.id, worker, runAt: now() + (failure ? Math.min(every, defaultBackoffMs(job.attempts, random)) : every) });
      } else if (!failure) {
        await db.write('jobs.complete', { id: job.id, worker });
      } else {
        const dead = job.attempts >= (handler.maxAttempts ?? job.maxAttempts);
        const message = (failure as Error)?.message ?? String(failure);
        log?.[dead ? 'error' : 'warn'](dead ? 'job.dead' : 'job.failed', { kind: job.kind, id: job.id, attempts: job.attempts, error: message });
        const delay = (handler.backoffMs ?? defaultBackoffMs)(job.attempts, random);
        await db.write('jobs.fail', { id: job.id, worker, error: message, retryAt: now() + delay, dead });
      }
    } catch (error) {
      // The outcome could not be recorded: the lease runs out and the job runs again (handlers are idempotent).
      log?.warn('job.outcome_not_recorded', { kind: job.kind, id: job.id, error: (error as Error).message });
    }
  }

  async function claim(): Promise<void> {
    if (stopped || !started) return;
    if (claiming) {
      claimAgain = true;
      return;
    }
    claiming = true;
    clearTimeout(timer);
    let wait = pollMs;
    try {
      do {
        claimAgain = false;
        while (!stopped && active.size < concurrency) {
          const { jobs, nextRunAt } = await backgroundWork.run(true, () => db.write('jobs.claim', { worker, kinds, limit: concurrency - active.size, leaseMs }));
          if (nextRunAt !== null) wait = Math.max(10, Math.min(pollMs, nextRunAt - now()));
          if (!jobs.length) break;
          for (const job of jobs) {
            const controller = new AbortController();
            const done = backgroundWork.run(true, () => execute(job, controller)).finally(() => {
              active.delete(job.id);
              void claim();
            });
            active.set(job.id, { controller, done });
          }
        }
      } while (claimAgain && !stopped);
    } catch (error) {
      log?.warn('jobs.claim_failed', { error: (error as Error).message });
    } finally {
      claiming = false;
      if (!stopped) timer = setTimeout(() => void claim(), wait);
    }
  }

  return {
    start() {
      if (started || !kinds.length) return;
      started = true;
      // Any instance's enqueue reaches every instance on commit (PostgreSQL NOTIFY, or in-process on SQLite).
      unsubscribe = db.subscribe((event) => event.topic === 'jobs' && void claim());
      void claim();
    },
    async stop(drainMs = 10_000) {
      stopped = true;
      clearTimeout(timer);
      unsubscribe();
      const running = [...active.values()];
      let drainTimer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([Promise.all(running.map((entry) => entry.done)), new Promise((resolve) => (drainTimer = setTimeout(resolve, drainMs)))]);
      clearTimeout(drainTimer);
      for (const entry of active.values()) entry.controller.abort(new Error('the server is shutting down'));
    },
    wake: () => void claim(),
    get running() {
      return active.size;
    },
  };
}

/** Makes sure a periodic job exists (one across all instances, by its dedupe key); its handler has `everyMs`. */
export function ensurePeriodic(db: AppDatabase, kind: string): Promise<boolean> {
  return db.write('jobs.enqueue', { kind, payload: {}, options: { dedupeKey: `periodic:${kind}`, maxAttempts: 1_000_000_000 } });
}
