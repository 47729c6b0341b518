/**
 * `npm run bench` (webhooks): Chaport's webhooks coming in. For each backend (SQLite; PostgreSQL), the built server
 * runs as its own process with the Chaport sandbox upstream (500 visitors, each with a chat), and wrk posts thin
 * webhooks as Chaport would:
 * 1. at 200 events/s (random arrivals) for BENCH_SECONDS: how fast each is acknowledged — after it is stored as a
 *    job, before anything is fetched (goal: p99 < 50 ms);
 * 2. then how long the queue takes to drain, every job reading its chat back over REST;
 * 3. as fast as 32 connections can post: the acknowledgement ceiling.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { createChaportSandbox } from '../../demo/chaport-sandbox/app.ts';
import { DEMO_APP_ID, DEMO_TOKEN, defaultAccounts } from '../../demo/stack.ts';
import { listen } from '../../src/server/http/listen.ts';
import { createTestDatabase, startPostgres } from '../support/postgres.ts';
import { ms, runWrk, startServerProcess, until, type WrkResult } from './support.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const VISITORS = 500;
const dir = mkdtempSync(join(tmpdir(), 'omniwidget-bench-hooks-'));

async function measure(name: string, args: string[], env: Record<string, string>, pendingJobs: () => Promise<number>) {
  const sandbox = createChaportSandbox(defaultAccounts());
  for (let i = 0; i < VISITORS; i++) {
    sandbox.state.session(DEMO_APP_ID, `bench-${i}`, { url: `https://acme.example/page-${i % 7}` });
    sandbox.state.visitorMessage(DEMO_APP_ID, `bench-${i}`, `Hello from visitor ${i}`);
  }
  const sandboxServer = await listen(sandbox.app, { limits: { maxConnectionsPerIp: 0 } });
  const config = join(dir, `${name.replace(/\W+/g, '-')}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      widgets: [{ id: 'acme', allowedOrigins: ['*'], channels: [{ id: 'mail', type: 'email' }] }],
      helpdesk: { publicUrl: 'http://127.0.0.1:1', chaport: { apiUrl: `${sandboxServer.url}/api/v1`, reconcileMinutes: 1440 } },
    }),
  );
  const server = await startServerProcess('dist/server/cli.js', ['--config', config, ...args], { CHAPORT_API_TOKEN: DEMO_TOKEN, ...env });
  try {
    // The path secret: as Chaport knows it, from the subscriptions the server made.
    let base = '';
    await until(async () => {
      const subscriptions = (await (await fetch(`${sandboxServer.url}/api/v1/events/subscriptions`, { headers: { Authorization: `Bearer ${DEMO_TOKEN}` } })).json()).result as { targetUrl: string }[];
      base = subscriptions[0]?.targetUrl.replace(/\/[^/]+$/, '').replace('http://127.0.0.1:1', server.url) ?? '';
      return !!base;
    }, "the server's webhook subscriptions", { everyMs: 100, timeoutMs: 10_000 });
    const url = `${base}/chat.newEvent.visitorMessage`;
    const steady = await runWrk(url, { method: 'WEBHOOK', connections: 32, rate: 200, seconds: SECONDS, visitors: VISITORS });
    const drainStarted = Date.now();
    await until(async () => (await pendingJobs()) === 0, 'the job queue to drain', { timeoutMs: 600_000 });
    const drainMs = Date.now() - drainStarted;
    const flood = await runWrk(url, { method: 'WEBHOOK', connections: 32, seconds: SECONDS, visitors: VISITORS });
    return { name, steady, drainMs, flood, restCalls: [...sandbox.state.restCalls.values()].reduce((sum, n) => sum + n, 0) };
  } finally {
    await server.stop();
    await sandboxServer.close();
  }
}

const accepted = (result: WrkResult) => result.statuses['202'] ?? 0;
const postgres = await startPostgres();
const rows = [];
try {
  const sqliteFile = join(dir, 'hooks.sqlite');
  rows.push(
    await measure('SQLite', ['--db', sqliteFile], {}, async () => {
      const db = new BetterSqlite3(sqliteFile, { readonly: true });
      const { n } = db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'chaport.sync'").get() as { n: number };
      db.close();
      return n;
    }),
  );
  const database = await createTestDatabase(postgres.url, 'hooks');
  rows.push(
    await measure('PostgreSQL 15', [], { DATABASE_URL: database.url }, async () => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const { rows: found } = await client.query<{ n: string }>("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'chaport.sync'");
      await client.end();
      return Number(found[0]!.n);
    }),
  );
} finally {
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\nWebhook ingestion (goal: p99 acknowledgement < 50 ms at 200 events/s; ${SECONDS} s per measurement, ${VISITORS} visitors)`);
for (const row of rows) {
  console.log(
    `   ${row.name}\n` +
      `      at 200/s:   ${accepted(row.steady)} acknowledged (${Math.round(accepted(row.steady) / row.steady.seconds)}/s)  p50 ${ms(row.steady.p50)}  p99 ${ms(row.steady.p99)}  max ${ms(row.steady.max)}  errors ${row.steady.errors}\n` +
      `      queue drained ${ms(row.drainMs)} after the last one, every chat read back over REST (${row.restCalls} calls to the sandbox in all)\n` +
      `      flooding:   ${Math.round(accepted(row.flood) / row.flood.seconds)} acknowledged/s  p99 ${ms(row.flood.p99)}  ${JSON.stringify(row.flood.statuses)}`,
  );
  if (row.steady.p99 >= 50 || row.steady.errors) process.exitCode = 1;
}
