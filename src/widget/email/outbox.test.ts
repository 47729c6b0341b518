import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiClient } from '../api.ts';
import { messageSender, type SendOutcome } from './send.ts';
import { memoryStorage } from '../storage.ts';
import { createOutbox, retryDelay, type Delivery, type OutboxDeps } from './outbox.ts';

const API = 'https://help.acme.test';
const received: { key: string | null; body: unknown }[] = [];
let failuresLeft = 0;
let failure: () => Response = () => HttpResponse.error();

const server = setupServer(
  http.post(`${API}/v1/widgets/acme/messages`, async ({ request }) => {
    const body = await request.json();
    received.push({ key: request.headers.get('Idempotency-Key'), body });
    if (failuresLeft > 0) {
      failuresLeft--;
      return failure();
    }
    if ((body as { email: string }).email === 'bounce@example.com')
      return HttpResponse.json({ error: { code: 'invalid_body', message: 'email: rejected', field: 'email' } }, { status: 400 });
    return HttpResponse.json({ id: `msg_${received.length}` }, { status: 201 });
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  received.length = 0;
  failuresLeft = 0;
  failure = () => HttpResponse.error();
});
afterAll(() => server.close());

/** Timers the test fires by hand: no real waiting, no fake-timer interplay with msw. */
function manualTimers() {
  const pending = new Map<number, { run: () => void; ms: number }>();
  let next = 0;
  return {
    pending,
    setTimer: (run: () => void, ms: number) => (pending.set(++next, { run, ms }), next),
    clearTimer: (id: unknown) => void pending.delete(id as number),
    fireAll() {
      const due = [...pending.values()];
      pending.clear();
      for (const timer of due) timer.run();
    },
  };
}

/** Waits (polling, never a fixed sleep) until every delivery is in `state`. */
const settle = async (outbox: { $deliveries: { get(): Delivery[] } }, state: Delivery['state']) =>
  vi.waitFor(() => expect(outbox.$deliveries.get().map((d) => d.state)).toEqual(outbox.$deliveries.get().map(() => state)), { timeout: 10_000, interval: 5 });

function setup(storage = memoryStorage(), extra: Partial<OutboxDeps> = {}) {
  const api = createApiClient({ apiUrl: API, widgetId: 'acme', timeout: 2000, signal: new AbortController().signal });
  const timers = manualTimers();
  let n = 0;
  const outbox = createOutbox({
    storage,
    send: messageSender(api),
    newKey: () => `key-${String(++n).padStart(8, '0')}`,
    setTimer: timers.setTimer,
    clearTimer: timers.clearTimer,
    random: () => 0.5,
    ...extra,
  });
  return { outbox, storage, timers };
}

const body = { email: 'ann@example.com', message: 'Hello' };

describe('outbox', () => {
  it('sends once and forgets the stored copy on confirmation', async () => {
    const { outbox, storage } = setup();
    const key = outbox.submit(body);
    expect(storage.data.size).toBe(1);
    await settle(outbox, 'sent');
    expect(received).toEqual([{ key, body }]);
    expect(storage.data.size).toBe(0);
  });

  it('keeps a message through network failures and resends it with the same idempotency key', async () => {
    failuresLeft = 2;
    const { outbox, storage, timers } = setup();
    const key = outbox.submit(body);
    await settle(outbox, 'waiting');
    expect(outbox.$deliveries.get()[0]).toMatchObject({ state: 'waiting', attempts: 1 });
    expect(storage.data.size).toBe(1);
    timers.fireAll();
    await settle(outbox, 'waiting');
    expect(outbox.$deliveries.get()[0]).toMatchObject({ attempts: 2 });
    timers.fireAll();
    await settle(outbox, 'sent');
    expect(received.map((r) => r.key)).toEqual([key, key, key]);
    expect(storage.data.size).toBe(0);
  });

  it('survives a reload: a new outbox over the same storage resends what was not confirmed', async () => {
    failuresLeft = 1;
    const first = setup();
    const key = first.outbox.submit(body);
    await settle(first.outbox, 'waiting');
    first.outbox.stop(); // the page goes away

    const second = setup(first.storage);
    await settle(second.outbox, 'sent');
    expect(received.map((r) => r.key)).toEqual([key, key]);
    expect(first.storage.data.size).toBe(0);
  });

  it('retries server errors, honouring Retry-After', async () => {
    failuresLeft = 1;
    failure = () => HttpResponse.json({ error: { code: 'unavailable', message: 'later' } }, { status: 503, headers: { 'Retry-After': '7' } });
    const { outbox, timers } = setup();
    outbox.submit(body);
    await settle(outbox, 'waiting');
    expect([...timers.pending.values()].map((t) => t.ms)).toEqual([7000]);
    outbox.retryNow();
    await settle(outbox, 'sent');
    expect(timers.pending.size).toBe(0);
  });

  it('does not resend what the server refused, and reports why', async () => {
    const rejected: unknown[] = [];
    const { outbox, storage } = setup(memoryStorage(), { onRejected: (error) => rejected.push(error) });
    outbox.submit({ email: 'bounce@example.com', message: 'x' });
    await settle(outbox, 'rejected');
    expect(rejected).toEqual([expect.objectContaining({ code: 'message_rejected', status: 400, field: 'email', message: 'email: rejected' })]);
    expect(storage.data.size).toBe(0);
    expect(received).toHaveLength(1);
  });

  it('keeps messages in memory without storage, and writes them once storage is allowed', async () => {
    failuresLeft = 1;
    const { outbox, timers } = setup(null as never);
    outbox.submit(body);
    await settle(outbox, 'waiting');
    const later = memoryStorage();
    outbox.setStorage(later);
    expect([...later.data.keys()]).toEqual(['outbox:key-00000001']);
    timers.fireAll();
    await settle(outbox, 'sent');
    expect(later.data.size).toBe(0);
  });

  it('stops: no timer left, the request in flight aborted and its late answer never resolved into state', async () => {
    const calls: { key: string; signal: AbortSignal; answer: (outcome: SendOutcome) => void }[] = [];
    const send: OutboxDeps['send'] = (key, _body, signal) => new Promise((answer) => calls.push({ key, signal, answer }));
    const { outbox, timers, storage } = setup(memoryStorage(), { send });
    const waiting = outbox.submit(body);
    calls[0]!.answer({ ok: false, reason: 'offline' });
    await vi.waitFor(() => expect(outbox.$deliveries.get()[0]!.state).toBe('waiting'));
    expect(timers.pending.size).toBe(1);
    const inFlight = outbox.submit({ ...body, message: 'Second' });
    expect(calls.map((call) => call.key)).toEqual([waiting, inFlight]);

    outbox.stop();
    expect(timers.pending.size).toBe(0);
    expect(calls[1]!.signal.aborted).toBe(true);
    calls[1]!.answer({ ok: true, id: 'msg_late' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(outbox.$deliveries.get().map((delivery) => delivery.state)).toEqual(['waiting', 'sending']);
    // Nothing is sent after stop(), and both stay stored for the next page.
    outbox.retryNow();
    expect(calls).toHaveLength(2);
    expect([...storage.data.keys()].sort()).toEqual([`outbox:${waiting}`, `outbox:${inFlight}`]);
  });

  it('backs off exponentially with jitter, capped at a minute', () => {
    expect(retryDelay(1, () => 0)).toBe(500);
    expect(retryDelay(1, () => 1)).toBe(1000);
    expect(retryDelay(3, () => 1)).toBe(4000);
    expect(retryDelay(20, () => 1)).toBe(60_000);
  });
});
