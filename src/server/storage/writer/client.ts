import { AsyncLocalStorage } from 'node:async_hooks';
import { Worker } from 'node:worker_threads';
import { CommandError, StorageOpenError, StorageUnavailableError, type ChangeEvent } from '../database.ts';
import { createHealthTracker } from '../health.ts';
import type { FromWriter, SerializedError, ToWriter, WriteRequest, WriterInit } from './protocol.ts';

export interface WriterClient {
  /** Resolves once the write is durably committed by the writer thread. */
  write(name: string, args: unknown): Promise<unknown>;
  /** Commands whose last run failed for the database's sake lately (for `/readyz`). */
  problems(): string[];
  close(): Promise<void>;
}

export interface WriterClientOptions {
  /** The caller's clock, read once per write. */
  now: () => number;
  /** A write not committed within this time is reported unavailable (it may still commit: callers are idempotent). */
  writeTimeoutMs: number;
  /** Change events committed by this thread's writes (SQLite; PostgreSQL's arrive by LISTEN). */
  onEvents(events: ChangeEvent[]): void;
}

/**
 * Marks work as background (the job runner runs every job inside it): its writes never take the connections a
 * request is waiting for, so a busy queue does not slow the acknowledgement of a webhook or a message.
 */
export const backgroundWork = new AsyncLocalStorage<true>();

function deserialize(error: SerializedError): Error {
  if (error.kind === 'command') return new CommandError(error.code, error.message, error.details);
  if (error.kind === 'unavailable') return new StorageUnavailableError(error.message);
  return new Error(error.message);
}

/**
 * Starts the writer thread (writer/worker.ts). Built, it is `storage-writer.js` beside this chunk; from source
 * (tests, the demo), the TypeScript file, loaded through tsx.
 */
function spawn(init: WriterInit): Promise<Worker> {
  const worker = import.meta.url.endsWith('.ts')
    ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./worker.ts', import.meta.url).href)}); })`, {
        eval: true,
        workerData: init,
      })
    : new Worker(new URL('./storage-writer.js', import.meta.url), { workerData: init });
  return new Promise((resolve, reject) => {
    const fail = (message: string) => {
      void worker.terminate();
      reject(new StorageOpenError(`cannot start the storage writer: ${message}`));
    };
    worker.once('error', (error) => fail(error.message));
    worker.once('message', (message: FromWriter) => {
      worker.removeAllListeners('error');
      if (message.type === 'ready') resolve(worker);
      else if (message.type === 'failed') fail(message.message);
    });
  });
}

/** The main thread's side: writes batched per event-loop turn into one message, answers matched by id. */
export async function startWriter(init: WriterInit, options: WriterClientOptions): Promise<WriterClient> {
  const worker = await spawn(init);
  const health = createHealthTracker(options.now);
  const pending = new Map<number, { name: string; resolve(value: unknown): void; reject(error: Error): void; timer: ReturnType<typeof setTimeout> }>();
  let nextId = 1;
  let closed = false;
  let outgoing: WriteRequest[] = [];

  const post = () => {
    const writes = outgoing;
    outgoing = [];
    worker.postMessage({ type: 'writes', writes } satisfies ToWriter);
  };
  const settle = (id: number, outcome: { value: unknown } | { error: Error }) => {
    const entry = pending.get(id);
    if (!entry) return; // timed out already
    pending.delete(id);
    clearTimeout(entry.timer);
    health.record(entry.name, 'error' in outcome ? outcome.error : undefined);
    if ('error' in outcome) entry.reject(outcome.error);
    else entry.resolve(outcome.value);
  };
  const failAll = (reason: string) => {
    for (const id of [...pending.keys()]) settle(id, { error: new StorageUnavailableError(reason) });
  };

  worker.on('message', (message: FromWriter) => {
    if (message.type !== 'results') return;
    for (const result of message.results) settle(result.id, result.ok ? { value: result.value } : { error: deserialize(result.error) });
    if (message.events.length) options.onEvents(message.events);
  });
  worker.on('error', (error) => failAll(`the storage writer failed: ${error.message}`));
  worker.on('exit', () => {
    if (!closed) failAll('the storage writer exited');
  });

  return {
    write(name, args) {
      if (closed) return Promise.reject(new StorageUnavailableError('The database is closed'));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => settle(id, { error: new StorageUnavailableError(`a write took longer than ${options.writeTimeoutMs} ms`) }), options.writeTimeoutMs);
        pending.set(id, { name, resolve, reject, timer });
        if (outgoing.push({ id, name, args, now: options.now(), lane: backgroundWork.getStore() ? 'background' : 'interactive' }) === 1) setImmediate(post);
      });
    },
    problems: () => health.problems(),
    async close() {
      if (closed) return;
      closed = true;
      if (outgoing.length) post();
      await new Promise<void>((done) => {
        worker.once('exit', () => done());
        worker.postMessage({ type: 'close' } satisfies ToWriter);
      });
      failAll('The database is closed');
    },
  };
}
