/**
 * `npm run bench` (storage): durable writes, and whether they stall reads. For each server — this build on SQLite,
 * this build on PostgreSQL, and, when BENCH_BEFORE names a built checkout of an older version, that one too — run
 * as its own process (`node dist/server/cli.js`), with wrk (Debian's `wrk`, a C load generator that leaves the CPU
 * to the server) as the clients, in this one run:
 * 1. idle: GET /config, then GET /presence, at 200 requests/s (random arrivals): their p99 is the baseline;
 * 2. steady: e-mail-form POSTs arriving at 1,000/s (random arrivals; each a new message, acknowledged only once
 *    durable), while GET /config — then GET /presence — is measured again at 200/s beside them;
 * 3. flood: the same POSTs as fast as 32 connections can push them, with the same reads beside them;
 * 4. then the messages in the database are counted: every acknowledged one must be there.
 * Goals (issue "Storage that keeps every byte…"): read p99 under the flood ≤ 2× idle; ≥ 1,000 durable writes/s.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { createChaportSandbox } from '../../demo/chaport-sandbox/app.ts';
import { DEMO_APP_ID, DEMO_TOKEN, defaultAccounts } from '../../demo/stack.ts';
import { listen } from '../../src/server/http/listen.ts';
import { createTestDatabase, startPostgres } from '../support/postgres.ts';
import { ms, runWrk, startServerProcess, type WrkResult } from './support.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const READ_RATE = 200;
const SITE = 'https://bench.example';
const before = process.env.BENCH_BEFORE ? resolve(process.env.BENCH_BEFORE, 'dist/server/cli.js') : undefined;
if (before && !existsSync(before)) throw new Error(`BENCH_BEFORE: ${before} is missing (build that checkout first)`);

const dir = mkdtempSync(join(tmpdir(), 'omniwidget-bench-'));
const sandbox = createChaportSandbox(defaultAccounts());
const sandboxServer = await listen(sandbox.app, { limits: { maxConnectionsPerIp: 0 } });
const config = join(dir, 'widgets.json');
writeFileSync(
  config,
  JSON.stringify({
    widgets: [
      {
        id: 'bench',
        allowedOrigins: [SITE],
        channels: [
          { id: 'chat', type: 'chaport', appId: DEMO_APP_ID, apiUrl: `${sandboxServer.url}/api/v1`, display: 'hideWhenOffline' },
          { id: 'mail', type: 'email' },
        ],
      },
    ],
  }),
);
const env = {
  CHAPORT_API_TOKEN: DEMO_TOKEN,
  OMNIWIDGET_PRESENCE_REFRESH_SECONDS: '1',
  // The flood comes from one address: the per-address limit would (rightly) stop it after 30.
  OMNIWIDGET_RATE_LIMIT_PER_IP: '1000000000/1',
  OMNIWIDGET_RATE_LIMIT_PER_WIDGET: '1000000000/1',
};

interface Reads {
  config: WrkResult;
  presence: WrkResult;
}

interface Row {
  server: string;
  idle: Reads;
  steady: Reads;
  flood: Reads;
  steadyWrites: WrkResult[];
  writes: WrkResult[];
  acknowledged: number;
  stored: number;
}

const ok = (result: WrkResult) => Object.entries(result.statuses).reduce((sum, [status, n]) => sum + (Number(status) < 300 ? n : 0), 0);
const line = (label: string, result: WrkResult) =>
  `   ${label.padEnd(16)} ${Math.round(ok(result) / result.seconds).toString().padStart(6)} ok/s  p50 ${ms(result.p50)}  p99 ${ms(result.p99)}  max ${ms(result.max)}  ${JSON.stringify(result.statuses)}${result.errors ? `  errors ${result.errors}` : ''}`;

async function measure(name: string, cli: string, args: string[], extraEnv: Record<string, string>, count: () => Promise<number>): Promise<Row> {
  const server = await startServerProcess(cli, ['--config', config, ...args], { ...env, ...extraEnv });
  const read = (path: string) => runWrk(`${server.url}/v1/widgets/bench/${path}`, { connections: 8, rate: READ_RATE, seconds: SECONDS, origin: SITE });
  const flood = () => runWrk(`${server.url}/v1/widgets/bench/messages`, { method: 'POST', connections: 32, seconds: SECONDS, origin: SITE });
  const steady = () => runWrk(`${server.url}/v1/widgets/bench/messages`, { method: 'POST', connections: 64, rate: 1000, seconds: SECONDS, origin: SITE });
  try {
    // Warm-up: JIT, connections, the first Chaport answer, the first writes.
    await Promise.all([runWrk(`${server.url}/v1/widgets/bench/presence`, { connections: 4, rate: READ_RATE, seconds: 2, origin: SITE }), runWrk(`${server.url}/v1/widgets/bench/messages`, { method: 'POST', connections: 4, rate: 200, seconds: 2, origin: SITE })]);
    const warmedUp = await count();
    const idle = { config: await read('config'), presence: await read('presence') };
    const [steadyA, steadyConfig] = await Promise.all([steady(), read('config')]);
    const [steadyB, steadyPresence] = await Promise.all([steady(), read('presence')]);
    const [writesA, floodConfig] = await Promise.all([flood(), read('config')]);
    const [writesB, floodPresence] = await Promise.all([flood(), read('presence')]);
    console.log(`\n${name}`);
    console.log(line('idle config', idle.config));
    console.log(line('idle presence', idle.presence));
    console.log(line('1000/s writes', steadyA));
    console.log(line('steady config', steadyConfig));
    console.log(line('1000/s writes', steadyB));
    console.log(line('steady presence', steadyPresence));
    console.log(line('flood writes', writesA));
    console.log(line('flood config', floodConfig));
    console.log(line('flood writes', writesB));
    console.log(line('flood presence', floodPresence));
    await server.stop();
    return {
      server: name,
      idle,
      steady: { config: steadyConfig, presence: steadyPresence },
      flood: { config: floodConfig, presence: floodPresence },
      steadyWrites: [steadyA, steadyB],
      writes: [writesA, writesB],
      acknowledged: [steadyA, steadyB, writesA, writesB].reduce((sum, result) => sum + (result.statuses['201'] ?? 0), 0),
      stored: (await count()) - warmedUp,
    };
  } finally {
    server.child.kill('SIGKILL');
  }
}

const sqliteCount = (file: string) => async () => {
  const db = new BetterSqlite3(file, { readonly: true });
  const { n } = db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number };
  db.close();
  return n;
};

const rows: Row[] = [];
const postgres = await startPostgres();
try {
  if (before) rows.push(await measure('before (0.1: node-sqlite3-wasm)', before, ['--db', join(dir, 'before.sqlite')], {}, sqliteCount(join(dir, 'before.sqlite'))));
  rows.push(await measure('now: SQLite (better-sqlite3, writer thread, group commit)', 'dist/server/cli.js', ['--db', join(dir, 'now.sqlite')], {}, sqliteCount(join(dir, 'now.sqlite'))));
  const database = await createTestDatabase(postgres.url, 'bench');
  rows.push(
    await measure('now: PostgreSQL 15', 'dist/server/cli.js', [], { DATABASE_URL: database.url }, async () => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const { rows } = await client.query<{ n: string }>('SELECT COUNT(*) AS n FROM messages');
      await client.end();
      return Number(rows[0]!.n);
    }),
  );
} finally {
  await postgres.stop();
  await sandboxServer.close();
  rmSync(dir, { recursive: true, force: true });
}

const ratio = (loaded: WrkResult, idle: WrkResult) => `${(loaded.p99 / Math.max(idle.p99, 0.1)).toFixed(2)}×`;
/** p99 and ratio, or the truth when reads got no answer at all (wrk's timeout is 10 s). */
const p99 = (loaded: WrkResult, idle: WrkResult) => (ok(loaded) ? `${ms(loaded.p99)} (${ratio(loaded, idle)})` : `no answer in 10 s (${loaded.errors} timed out)`);
const perSecond = (results: WrkResult[]) => Math.round(results.reduce((sum, result) => sum + ok(result), 0) / results.reduce((sum, result) => sum + result.seconds, 0));
console.log(`\nSummary: read p99 at ${READ_RATE}/s, and its ratio to idle (goal ≤ 2×); durable writes (goal ≥ 1,000/s); ${SECONDS} s per measurement`);
for (const row of rows) {
  const reads = (label: string, loaded: Reads) =>
    `      ${label.padEnd(26)} config ${ms(row.idle.config.p99)} → ${p99(loaded.config, row.idle.config)}   presence ${ms(row.idle.presence.p99)} → ${p99(loaded.presence, row.idle.presence)}`;
  console.log(
    [
      `   ${row.server}`,
      reads(`writes at 1,000/s (${perSecond(row.steadyWrites)}/s)`, row.steady),
      reads(`writes flooding (${perSecond(row.writes)}/s)`, row.flood),
      `      durable writes at most ${perSecond(row.writes)}/s (p99 ${ms(Math.max(...row.writes.map((result) => result.p99)))}); acknowledged ${row.acknowledged}, in the database ${row.stored}`,
    ].join('\n'),
  );
}
if (rows.some((row) => row.stored < row.acknowledged)) {
  console.error('   AN ACKNOWLEDGED MESSAGE IS MISSING');
  process.exitCode = 1;
}
