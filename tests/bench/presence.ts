/**
 * `npm run bench`: presence under load. Starts the helpdesk API with the Chaport sandbox (over real HTTP), then
 * 1. 1,000 visitors poll at once, for several refresh intervals: how many upstream calls Chaport gets;
 * 2. autocannon throughput on the presence endpoint, answered 200 and (conditional) 304;
 * 3. the same autocannon run on `/healthz`, the baseline, in the same process and run: figures are reported
 *    as ratios to it, so they mean the same on any machine.
 */
import autocannon from 'autocannon';
import { Agent, request } from 'node:http';
import { startStack } from '../../demo/stack.ts';
import { pace } from './support.ts';

const REFRESH_MS = 1000;
const VISITORS = 1000;
const ROUNDS = 4;
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 100;

const stack = await startStack({ presence: { refreshMs: REFRESH_MS } });
const presenceUrl = `${stack.api}/v1/widgets/acme/presence`;
const upstream = () => stack.chaport.state.restCalls.get('GET /api/v1/operators') ?? 0;

try {
  // --- 1. A thousand visitors at once ---------------------------------------------------------------
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const get = (url: string, headers: Record<string, string>) =>
    new Promise<{ status: number; etag: string | undefined }>((resolve, reject) => {
      const req = request(url, { agent, headers }, (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, etag: response.headers.etag }));
      });
      req.on('error', reject);
      req.end();
    });
  const etags = new Array<string | undefined>(VISITORS);
  const started = performance.now();
  const before = upstream();
  const statuses: Record<number, number> = {};
  for (let round = 0; round < ROUNDS; round++) {
    const roundStart = performance.now();
    await Promise.all(
      Array.from({ length: VISITORS }, async (_, visitor) => {
        const response = await get(presenceUrl, { origin: stack.site, ...(etags[visitor] ? { 'if-none-match': etags[visitor] } : {}) });
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
        etags[visitor] = response.etag ?? etags[visitor];
      }),
    );
    // Wait out the rest of the refresh interval, as real pollers spread over time would.
    const rest = REFRESH_MS - (performance.now() - roundStart);
    if (rest > 0 && round < ROUNDS - 1) await pace(rest);
  }
  const elapsed = performance.now() - started;
  const calls = upstream() - before;
  const intervals = Math.ceil(elapsed / REFRESH_MS);
  agent.destroy();

  console.log(`\n1. ${VISITORS} concurrent pollers × ${ROUNDS} rounds over ${(elapsed / 1000).toFixed(1)} s (refresh interval ${REFRESH_MS} ms)`);
  console.log(`   answers: ${Object.entries(statuses).map(([status, count]) => `${count} × ${status}`).join(', ')}`);
  console.log(`   upstream calls to Chaport: ${calls} for ${VISITORS * ROUNDS} polls — at most one per interval (${intervals} intervals): ${calls <= intervals ? 'yes' : 'NO'}`);

  // --- 2 and 3. Throughput, against the baseline ------------------------------------------------------
  const etag = (await fetch(presenceUrl)).headers.get('etag')!;
  const run = (title: string, url: string, headers: Record<string, string> = {}) =>
    autocannon({ title, url, connections: CONNECTIONS, duration: DURATION_S, headers: { origin: stack.site, ...headers } });
  const beforeThroughput = upstream();
  const baseline = await run('healthz (baseline)', `${stack.api}/healthz`);
  const fresh = await run('presence 200', presenceUrl);
  const conditional = await run('presence 304', presenceUrl, { 'if-none-match': etag });
  const throughputCalls = upstream() - beforeThroughput;

  const row = (result: autocannon.Result) => {
    const ok = result.non2xx === 0 || result.title === 'presence 304';
    return [
      result.title!.padEnd(20),
      `${Math.round(result.requests.average).toString().padStart(7)} req/s`,
      `${(result.requests.average / baseline.requests.average).toFixed(2).padStart(5)}× baseline`,
      `p50 ${result.latency.p50} ms`,
      `p90 ${result.latency.p90} ms`,
      `p99 ${result.latency.p99} ms`,
      `errors ${result.errors + result.timeouts}${ok ? '' : ` non-2xx ${result.non2xx}`}`,
    ].join('  ');
  };
  console.log(`\n2. Throughput: autocannon, ${CONNECTIONS} connections, ${DURATION_S} s each`);
  for (const result of [baseline, fresh, conditional]) console.log(`   ${row(result)}`);
  const seconds = (DURATION_S * 3 + 1) * 1000;
  console.log(`   upstream calls during ${fresh.requests.total + conditional.requests.total} presence requests: ${throughputCalls} (≤ ${Math.ceil(seconds / REFRESH_MS)} allowed)`);
  if (calls > intervals || throughputCalls > Math.ceil(seconds / REFRESH_MS)) process.exitCode = 1;
} finally {
  await stack.close();
}
