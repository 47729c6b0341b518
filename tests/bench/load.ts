import { Agent, request } from 'node:http';
import { pace } from './support.ts';

/**
 * An open-loop load generator: requests start at random (Poisson) moments at a fixed mean rate, whether or not
 * earlier ones have been answered — as visitors arrive — and each latency is measured from the moment the request
 * was due, so a stalled server cannot hide its stall by slowing the generator down (no coordinated omission).
 * Timer-driven generators (autocannon's `overallRate`) fire every connection at once, which measures their own
 * bursts rather than the server.
 */
export interface OpenLoopResult {
  sent: number;
  ok: number;
  failed: number;
  statuses: Record<number, number>;
  /** Milliseconds, from when each request was due to its last byte. */
  latency: { p50: number; p90: number; p99: number; max: number };
  perSecond: number;
}

export interface OpenLoopRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: () => string;
  onResponse?(status: number, body: string): void;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function openLoop(baseUrl: string, { rate, seconds, make }: { rate: number; seconds: number; make: () => OpenLoopRequest }): Promise<OpenLoopResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let failed = 0;
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  const end = started + seconds * 1000;
  let due = started;
  let sent = 0;
  while (due < end) {
    const wait = due - performance.now();
    // Never spin: a busy generator would take the CPU from the server it measures.
    if (wait > 0) await pace(wait);
    // Everything due by now goes out now: a late timer must not thin the load.
    while (due <= performance.now() && due < end) {
      const scheduled = due;
      const spec = make();
      sent++;
      inFlight.push(
        new Promise<void>((resolve) => {
          const body = spec.body?.();
          const req = request(`${baseUrl}${spec.path}`, { method: spec.method, agent, headers: { ...spec.headers, ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) } }, (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => {
              latencies.push(performance.now() - scheduled);
              statuses[response.statusCode ?? 0] = (statuses[response.statusCode ?? 0] ?? 0) + 1;
              spec.onResponse?.(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'));
              resolve();
            });
          });
          req.on('error', () => {
            failed++;
            resolve();
          });
          req.end(body);
        }),
      );
      due += (-Math.log(1 - Math.random()) * 1000) / rate;
    }
  }
  await Promise.all(inFlight);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const ok = Object.entries(statuses).reduce((sum, [status, count]) => sum + (Number(status) < 300 ? count : 0), 0);
  return {
    sent,
    ok,
    failed,
    statuses,
    latency: { p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] ?? 0 },
    perSecond: ok / seconds,
  };
}
