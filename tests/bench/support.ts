import { setTimeout as tick } from 'node:timers/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';

/** Shared by the benchmarks: the built server as its own process, and autocannon figures in one line. */

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `node <cli> --config … --port 0 …` and waits for its `server.listening` line. */
export function startServerProcess(cli: string, args: string[], env: Record<string, string | undefined> = {}, nodeFlags: string[] = []): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeFlags, cli, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk;
      const url = /"url":"(http:[^"]+)"/.exec(output)?.[1];
      // Logs are not wanted past the start: one line per request would cost the server more than the request.
      if (url) {
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve({
          url,
          child,
          stop: () =>
            new Promise((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
    child.once('exit', (code) => reject(new Error(`${cli} exited with ${code}: ${output}`)));
  });
}

export const ms = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} ms`;

export function summary(result: autocannon.Result, seconds = result.duration): string {
  const ok = result['2xx'];
  return `${Math.round(ok / seconds)
    .toString()
    .padStart(6)} ok/s  p50 ${ms(result.latency.p50)}  p99 ${ms(result.latency.p99)}  max ${ms(result.latency.max)}  errors ${result.errors + result.timeouts}  non-2xx ${result.non2xx}`;
}

export interface WrkResult {
  requests: number;
  seconds: number;
  statuses: Record<string, number>;
  errors: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * wrk (Debian's `wrk` package: a C load generator that costs the server's CPU almost nothing — on two cores, a
 * JavaScript generator takes half the machine from the server it measures), driven by wrk/load.lua.
 */
export function runWrk(url: string, options: { method?: 'GET' | 'POST' | 'WEBHOOK'; rate?: number; connections: number; seconds: number; origin?: string; visitors?: number }): Promise<WrkResult> {
  const script = new URL('./wrk/load.lua', import.meta.url).pathname;
  const env = {
    ...process.env,
    BENCH_METHOD: options.method ?? 'GET',
    BENCH_ORIGIN: options.origin ?? 'https://bench.example',
    BENCH_CONNECTIONS: String(options.connections),
    BENCH_VISITORS: String(options.visitors ?? 100),
    ...(options.rate ? { BENCH_RATE: String(options.rate) } : {}),
  };
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--timeout', '10s', '-s', script, url], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
    child.once('error', (error) => reject(new Error(`wrk could not be started (${error.message}): apt-get install -y wrk`)));
    child.once('exit', (code) => {
      const line = output.trim().split('\n').reverse().find((text) => text.startsWith('{'));
      if (code !== 0 || !line) reject(new Error(`wrk failed (${code}): ${output}`));
      else resolve(JSON.parse(line) as WrkResult);
    });
  });
}

/** Waits until `condition` holds (checked every `everyMs`), or fails naming `what` after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, { everyMs = 50, timeoutMs = 60_000 } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
    await tick(everyMs); // the interval between checks of the condition, not a wait for it
  }
}

/** Pacing a load generator to a schedule (requests per second, refresh intervals): time is what is measured, not a condition. */
export const pace = (ms: number): Promise<unknown> => tick(Math.max(0, ms));
