import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PresenceResponse } from '../../contract/api.ts';
import { createPresencePoller, type PresencePoller } from './poller.ts';

/** The Web Locks API, as browsers implement it for one origin: exclusive, FIFO, abortable while waiting. */
function fakeLocks() {
  const held = new Set<string>();
  const waiting: { name: string; grant: () => void }[] = [];
  const next = (name: string) => {
    const index = waiting.findIndex((item) => item.name === name);
    if (index >= 0) waiting.splice(index, 1)[0]!.grant();
  };
  return {
    request(name: string, options: { signal?: AbortSignal }, callback: () => Promise<void>): Promise<void> {
      return new Promise((resolve, reject) => {
        const grant = () => {
          held.add(name);
          callback().finally(() => {
            held.delete(name);
            resolve();
            next(name);
          });
        };
        if (!held.has(name)) return grant();
        const entry = { name, grant };
        waiting.push(entry);
        options.signal?.addEventListener('abort', () => {
          const index = waiting.indexOf(entry);
          if (index >= 0) waiting.splice(index, 1);
          reject(new DOMException('aborted', 'AbortError'));
        });
      });
    },
  };
}

/** A browser tab: its own document (visibility), the shared lock manager, real BroadcastChannels. */
function fakeTab(locks: ReturnType<typeof fakeLocks> | undefined) {
  const listeners = new Set<() => void>();
  const document = {
    visibilityState: 'visible' as DocumentVisibilityState,
    addEventListener: (_: string, listener: () => void) => listeners.add(listener),
    removeEventListener: (_: string, listener: () => void) => listeners.delete(listener),
  };
  const win = { document, navigator: { locks }, BroadcastChannel: globalThis.BroadcastChannel } as unknown as Window & typeof globalThis;
  return {
    win,
    setVisibility(state: DocumentVisibilityState) {
      document.visibilityState = state;
      for (const listener of listeners) listener();
    },
  };
}

/** Waits for a condition, never for a fixed time: on a busy machine it only takes longer. */
const until = (check: () => void) => vi.waitFor(check, { timeout: 10_000, interval: 5 });
const answer = (online: boolean | null): PresenceResponse => ({ channels: { chat: { online } }, checkedAt: null });

let pollers: PresencePoller[] = [];
afterEach(() => {
  for (const poller of pollers) poller.stop();
  pollers = [];
});

function poller(
  tab: ReturnType<typeof fakeTab>,
  fetchPresence: () => Promise<PresenceResponse>,
  extra: { name?: string; intervalMs?: number; random?: () => number; onError?: (error: unknown) => void } = {},
) {
  const created = createPresencePoller({ name: extra.name ?? 'w', channelIds: ['chat'], intervalMs: extra.intervalMs ?? 40, fetchPresence, win: tab.win, random: extra.random, onError: extra.onError });
  pollers.push(created);
  return created;
}

/**
 * Lets at least `n` poll intervals pass, as a poller of the same interval in another widget counts them: the way to
 * show that something did NOT happen meanwhile, without a fixed sleep.
 */
async function intervalsPass(n: number, intervalMs = 40): Promise<void> {
  let ticks = 0;
  const clock = poller(fakeTab(undefined), async () => (ticks++, answer(true)), { name: `clock-${Math.random()}`, intervalMs });
  await until(() => expect(ticks).toBeGreaterThanOrEqual(n + 1));
  clock.stop();
}

describe('presence poller', () => {
  it('polls once per browser: one tab leads, the others get its answers', async () => {
    const locks = fakeLocks();
    const calls = { a: 0, b: 0 };
    const a = poller(fakeTab(locks), async () => (calls.a++, answer(true)));
    const b = poller(fakeTab(locks), async () => (calls.b++, answer(true)));
    await until(() => expect(calls.a + calls.b).toBeGreaterThanOrEqual(6));
    // Every poll from the one tab holding the lock; both tabs know the answer.
    expect(Math.min(calls.a, calls.b)).toBe(0);
    expect(a.$presence.get()).toEqual({ chat: true });
    expect(b.$presence.get()).toEqual({ chat: true });
  });

  it('a newcomer takes the leader\'s latest answer instead of fetching', async () => {
    const locks = fakeLocks();
    let leaderCalls = 0;
    let lateCalls = 0;
    const leader = poller(fakeTab(locks), async () => (leaderCalls++, answer(false)), { name: 'newcomer', intervalMs: 60_000 });
    await until(() => expect(leader.$presence.get()).toEqual({ chat: false }));
    const late = poller(fakeTab(locks), async () => (lateCalls++, answer(true)), { name: 'newcomer', intervalMs: 60_000 });
    await until(() => expect(late.$presence.get()).toEqual({ chat: false }));
    expect([leaderCalls, lateCalls]).toEqual([1, 0]);
  });

  it('a hidden tab never polls; a leader that hides hands over to a visible tab; on return it refreshes', async () => {
    const locks = fakeLocks();
    const calls: string[] = [];
    const first = fakeTab(locks);
    const second = fakeTab(locks);
    poller(first, async () => (calls.push('first'), answer(true)), { name: 'hide' });
    poller(second, async () => (calls.push('second'), answer(true)), { name: 'hide' });
    await until(() => expect(calls.length).toBeGreaterThanOrEqual(2));
    expect(new Set(calls)).toEqual(new Set(['first']));

    first.setVisibility('hidden');
    calls.length = 0;
    await until(() => expect(calls.length).toBeGreaterThanOrEqual(2));
    expect(new Set(calls)).toEqual(new Set(['second']));

    second.setVisibility('hidden');
    calls.length = 0;
    await intervalsPass(4);
    expect(calls).toEqual([]);

    first.setVisibility('visible');
    await until(() => expect(calls).toContain('first'));
    expect(new Set(calls)).toEqual(new Set(['first']));
  });

  it('backs off exponentially with jitter on errors; with no answer yet, presence is unknown at once', async () => {
    const at: number[] = [];
    const start = performance.now();
    const failing = poller(fakeTab(fakeLocks()), async () => {
      at.push(performance.now() - start);
      throw new Error('offline');
    }, { name: 'backoff', intervalMs: 20, random: () => 1 });
    await until(() => expect(failing.$presence.get()).toEqual({ chat: null }));
    await until(() => expect(at.length).toBeGreaterThanOrEqual(3));
    const gaps = at.slice(1).map((time, index) => time - at[index]!);
    // 20 ms · 2^failures at the top of the jitter range: 40, 80, 160… (a busy machine only makes them longer).
    expect(gaps[0]).toBeGreaterThanOrEqual(38);
    expect(gaps[1]).toBeGreaterThanOrEqual(78);
  });

  it('keeps the last known value through two failed polls; the third makes it unknown', async () => {
    // What the tab showed when each poll started: after 0, 1, 2 failures, then the answer after the third.
    const seenAtPoll: unknown[] = [];
    let polls = 0;
    const steady: PresencePoller = poller(fakeTab(fakeLocks()), async () => {
      seenAtPoll.push(steady?.$presence.get());
      if (++polls === 1) return answer(false);
      throw new Error('blip');
    }, { name: 'threshold', intervalMs: 5, random: () => 0 });
    await until(() => expect(polls).toBeGreaterThanOrEqual(4));
    expect(seenAtPoll.slice(1, 4)).toEqual([{ chat: false }, { chat: false }, { chat: false }]);
    await until(() => expect(steady.$presence.get()).toEqual({ chat: null }));
  });

  it('without Web Locks, each visible tab polls for itself', async () => {
    const calls = { a: 0, b: 0 };
    poller(fakeTab(undefined), async () => (calls.a++, answer(true)), { name: 'nolocks' });
    poller(fakeTab(undefined), async () => (calls.b++, answer(true)), { name: 'nolocks' });
    await until(() => expect(Math.min(calls.a, calls.b)).toBeGreaterThanOrEqual(2));
  });

  it('stop() ends polling and closes the channel: answers of other tabs no longer reach it', async () => {
    const locks = fakeLocks();
    let calls = 0;
    const stopped = poller(fakeTab(locks), async () => (calls++, answer(true)), { name: 'stop' });
    await until(() => expect(stopped.$presence.get()).toEqual({ chat: true }));
    stopped.stop();
    const before = calls;
    // Another tab takes over and says "offline": it hears nothing more, and polls no more.
    const other = poller(fakeTab(locks), async () => answer(false), { name: 'stop' });
    await until(() => expect(other.$presence.get()).toEqual({ chat: false }));
    await intervalsPass(4);
    expect(calls).toBe(before);
    expect(stopped.$presence.get()).toEqual({ chat: true });
  });

  // Review bugs of #11.
  it('each wait between polls removes its abort listener when it ends: none pile up over an hour', async () => {
    const added: unknown[] = [];
    const removed: unknown[] = [];
    const add = AbortSignal.prototype.addEventListener;
    const remove = AbortSignal.prototype.removeEventListener;
    const spyAdd = vi.spyOn(AbortSignal.prototype, 'addEventListener').mockImplementation(function (this: AbortSignal, ...args: Parameters<typeof add>) {
      if (args[0] === 'abort') added.push(args[1]);
      return add.apply(this, args);
    });
    const spyRemove = vi.spyOn(AbortSignal.prototype, 'removeEventListener').mockImplementation(function (this: AbortSignal, ...args: Parameters<typeof remove>) {
      if (args[0] === 'abort') removed.push(args[1]);
      return remove.apply(this, args);
    });
    try {
      let polls = 0;
      poller(fakeTab(undefined), async () => (polls++, answer(true)), { name: 'listeners', intervalMs: 5 });
      await until(() => expect(polls).toBeGreaterThanOrEqual(20));
      // Every wait that ended took its listener away; at most the current wait's is still there.
      expect(added.length).toBeGreaterThanOrEqual(19);
      expect(added.filter((listener) => !removed.includes(listener)).length).toBeLessThanOrEqual(1);
    } finally {
      spyAdd.mockRestore();
      spyRemove.mockRestore();
    }
  });

  it('tells onError of a failure once per run of failures, and again after a success', async () => {
    const errors: unknown[] = [];
    let polls = 0;
    // Fails twice, succeeds, fails twice more.
    poller(fakeTab(undefined), async () => {
      polls++;
      if (polls === 3 || polls >= 6) return answer(true);
      throw new Error(`failure ${polls}`);
    }, { name: 'errors', intervalMs: 2, random: () => 0, onError: (error) => errors.push((error as Error).message) });
    await until(() => expect(polls).toBeGreaterThanOrEqual(6));
    expect(errors).toEqual(['failure 1', 'failure 4']);
  });

  it('a lock request the browser refuses (not an abort) still leaves a tab that polls', async () => {
    const refusing = { request: () => Promise.reject(new DOMException('Locks are not allowed in this document', 'SecurityError')) };
    let polls = 0;
    const refused = poller(fakeTab(refusing as never), async () => (polls++, answer(false)), { name: 'refused' });
    await until(() => expect(polls).toBeGreaterThanOrEqual(2));
    expect(refused.$presence.get()).toEqual({ chat: false });
  });

  it('reads only booleans as presence: anything else in an answer is unknown', async () => {
    const odd = poller(fakeTab(undefined), async () => ({ channels: { chat: { online: 'yes' } }, checkedAt: null }) as never, { name: 'odd' });
    await until(() => expect(odd.$presence.get()).toEqual({ chat: null }));
  });
});
