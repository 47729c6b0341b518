import { atom, type ReadableAtom, type WritableAtom } from 'nanostores';
import type { MessageRequest } from '../../contract/api.ts';
import type { SendOutcome } from './send.ts';
import type { MessageError } from '../errors.ts';
import type { KeyValueStorage } from '../storage.ts';

/** Where one e-mail form message stands. The visitor sees exactly this. */
export type Delivery = { key: string; body: MessageRequest } & (
  | { state: 'sending' }
  | { state: 'waiting'; attempts: number; retryAt: number; reason: string }
  | { state: 'sent'; id: string }
  | { state: 'rejected'; error: MessageError }
);

export interface Outbox {
  readonly $deliveries: ReadableAtom<Delivery[]>;
  /** Keeps the message (on disk when storage is allowed) and sends it; returns its idempotency key. */
  submit(body: MessageRequest): string;
  /** Sends every waiting message now (the visitor asked, or the browser came back online). */
  retryNow(): void;
  /** Storage became available (consent): waiting messages are written to it so a reload keeps them. */
  setStorage(storage: KeyValueStorage | null): void;
  /** Stops timers and aborts requests; what is stored stays stored for the next page. */
  stop(): void;
}

export interface OutboxDeps {
  storage: KeyValueStorage | null;
  send(key: string, body: MessageRequest, signal: AbortSignal): Promise<SendOutcome>;
  newKey(): string;
  onSent?(delivery: Delivery & { state: 'sent' }): void;
  onRejected?(error: MessageError): void;
  now?: () => number;
  random?: () => number;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
  /** The widget's deliveries store (its record of stores, `features/stores.ts`); a new one when absent (tests). */
  $deliveries?: WritableAtom<Delivery[]>;
}

const PREFIX = 'outbox:';
const MAX_DELAY_MS = 60_000;

/** Exponential backoff (1 s, 2 s, 4 s … 60 s) with equal jitter, so many visitors do not retry in step. */
export function retryDelay(attempts: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, 1000 * 2 ** Math.max(0, attempts - 1));
  return ceiling / 2 + (random() * ceiling) / 2;
}

/**
 * The e-mail form's outbox: a message is kept until the server confirms it (201), and every resend carries the
 * same idempotency key, so the server stores it exactly once however often the network fails. Each message is
 * its own storage record, written once on submit and removed on confirmation.
 */
export function createOutbox(deps: OutboxDeps): Outbox {
  const {
    send,
    newKey,
    now = Date.now,
    random = Math.random,
    setTimer = (run, ms) => setTimeout(run, ms),
    clearTimer = (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
  } = deps;
  let storage = deps.storage;
  let stopped = false;
  const $deliveries = deps.$deliveries ?? atom<Delivery[]>([]);
  const timers = new Map<string, unknown>();
  const requests = new Map<string, AbortController>();

  const find = (key: string) => $deliveries.get().find((delivery) => delivery.key === key);
  const put = (next: Delivery) => {
    const list = $deliveries.get();
    $deliveries.set(list.some((d) => d.key === next.key) ? list.map((d) => (d.key === next.key ? next : d)) : [...list, next]);
  };
  const persist = (delivery: Delivery) => storage?.set(PREFIX + delivery.key, JSON.stringify({ body: delivery.body, createdAt: now() }));

  async function attempt(key: string): Promise<void> {
    const delivery = find(key);
    if (stopped || !delivery || delivery.state === 'sending' || delivery.state === 'sent') return;
    clearTimer(timers.get(key));
    timers.delete(key);
    const attempts = delivery.state === 'waiting' ? delivery.attempts : 0;
    put({ key, body: delivery.body, state: 'sending' });
    const controller = new AbortController();
    requests.set(key, controller);
    let outcome: SendOutcome;
    try {
      outcome = await send(key, delivery.body, controller.signal);
    } catch (error) {
      outcome = { ok: false, reason: (error as Error)?.message ?? 'failed' };
    }
    requests.delete(key);
    if (stopped) return;
    if (outcome.ok) {
      storage?.remove(PREFIX + key);
      const sent = { key, body: delivery.body, state: 'sent', id: outcome.id } as const;
      put(sent);
      deps.onSent?.(sent);
    } else if ('rejected' in outcome) {
      // Resending cannot help; the visitor's text stays in the form to be corrected.
      storage?.remove(PREFIX + key);
      put({ key, body: delivery.body, state: 'rejected', error: outcome.rejected });
      deps.onRejected?.(outcome.rejected);
    } else {
      const delay = outcome.retryAfterMs ?? retryDelay(attempts + 1, random);
      put({ key, body: delivery.body, state: 'waiting', attempts: attempts + 1, retryAt: now() + delay, reason: outcome.reason });
      timers.set(key, setTimer(() => void attempt(key), delay));
    }
  }

  function resume(): void {
    if (!storage) return;
    for (const record of storage.keys(PREFIX)) {
      const key = record.slice(PREFIX.length);
      if (find(key)) continue;
      try {
        const { body } = JSON.parse(storage.get(record) ?? '') as { body: MessageRequest };
        if (!body || typeof body.email !== 'string' || typeof body.message !== 'string') throw new Error('not a message');
        put({ key, body, state: 'waiting', attempts: 0, retryAt: now(), reason: 'resumed' });
        void attempt(key);
      } catch {
        storage.remove(record); // Not ours to interpret: an unreadable record would otherwise be retried forever.
      }
    }
  }

  resume();

  return {
    $deliveries,
    submit(body) {
      const key = newKey();
      const delivery: Delivery = { key, body, state: 'waiting', attempts: 0, retryAt: now(), reason: 'new' };
      persist(delivery);
      put(delivery);
      void attempt(key);
      return key;
    },
    retryNow() {
      for (const delivery of $deliveries.get()) if (delivery.state === 'waiting') void attempt(delivery.key);
    },
    setStorage(next) {
      storage = next;
      for (const delivery of $deliveries.get()) if (delivery.state === 'waiting' || delivery.state === 'sending') persist(delivery);
      resume();
    },
    stop() {
      stopped = true;
      for (const timer of timers.values()) clearTimer(timer);
      for (const controller of requests.values()) controller.abort();
      timers.clear();
      requests.clear();
    },
  };
}
