import { parentPort, workerData } from 'node:worker_threads';
import { postgresExecutor } from '../postgres/executor.ts';
import { sqliteExecutor } from '../sqlite/executor.ts';
import type { FromWriter, ToWriter, WriteExecutor, WriterInit } from './protocol.ts';

/**
 * The storage writer thread: every write of the server runs here, so that neither an fsync (SQLite) nor a database
 * driver's protocol work (PostgreSQL) ever holds up the main thread, which answers reads.
 */
const port = parentPort!;
const init = workerData as WriterInit;
const post = (message: FromWriter) => port.postMessage(message);
const deliver = (results: Parameters<Parameters<typeof sqliteExecutor>[1]>[0], events: Parameters<Parameters<typeof sqliteExecutor>[1]>[1]) =>
  post({ type: 'results', results, events });

let executor: WriteExecutor;
try {
  executor = init.backend === 'sqlite' ? sqliteExecutor(init.file, deliver) : postgresExecutor(init.url, init.poolSize, deliver);
  post({ type: 'ready' });
} catch (error) {
  post({ type: 'failed', message: (error as Error).message });
  port.close();
}

port.on('message', (message: ToWriter) => {
  if (message.type === 'writes') executor.submit(message.writes);
  else
    void executor.close().finally(() => {
      post({ type: 'closed' });
      port.close();
    });
});
