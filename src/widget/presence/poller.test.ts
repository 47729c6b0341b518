import { afterEach, describe, expect, it } from 'vitest';
import type { PresenceResponse } from '../../contract/index.ts';
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const answer = (online: boolean | null): PresenceResponse => ({ channels: { chat: { online } }, checkedAt: null });

let pollers: PresencePoller[] = [];
afterEach(() => {
  for (const poller of pollers) poller.stop();
  pollers = [];
});

function poller(tab: ReturnType<typeof fakeTab>, fetchPresence: () => Promise<PresenceResponse>, extra: { name?: string; intervalMs?: number; random?: () => number } = {}) {
  const created = createPresencePoller({ name: extra.name ?? 'w', channelIds: ['chat'], intervalMs: extra.intervalMs ?? 40, fetchPresence, win: tab.win, random: extra.random });
  pollers.push(created);
  return created;
}

describe('presence poller', () => {
  it('polls once per browser: one tab leads, the others get its answers', async () => {
    const locks = fakeLocks();
    let calls = 0;
    const fetch = async () => (calls++, answer(true));
    const a = poller(fakeTab(locks), fetch);
    const b = poller(fakeTab(locks), fetch);
    await sleep(330);
    // ~330 / 40 polls for one poller; two pollers would make twice as many.
    expect(calls).toBeGreaterThanOrEqual(6);
    expect(calls).toBeLessThanOrEqual(10);
    expect(a.$presence.get()).toEqual({ chat: true });
    expect(b.$presence.get()).toEqual({ chat: true });
  });

  it('a newcomer takes the leader\'s latest answer instead of fetching', async () => {
    const locks = fakeLocks();
    let calls = 0;
    poller(fakeTab(locks), async () => (calls++, answer(false)), { name: 'newcomer', intervalMs: 1000 });
    await sleep(50);
    expect(calls).toBe(1);
    const late = poller(fakeTab(locks), async () => (calls++, answer(true)), { name: 'newcomer', intervalMs: 1000 });
    await sleep(50);
    expect(late.$presence.get()).toEqual({ chat: false });
    expect(calls).toBe(1);
  });

  it('a hidden tab never polls; a leader that hides hands over to a visible tab; on return it refreshes', async () => {
    const locks = fakeLocks();
    const calls: string[] = [];
    const first = fakeTab(locks);
    const second = fakeTab(locks);
    poller(first, async () => (calls.push('first'), answer(true)), { name: 'hide' });
    poller(second, async () => (calls.push('second'), answer(true)), { name: 'hide' });
    await sleep(100);
    expect(new Set(calls)).toEqual(new Set(['first']));
    first.setVisibility('hidden');
    calls.length = 0;
    await sleep(120);
    expect(calls.length).toBeGreaterThan(0);
    expect(new Set(calls)).toEqual(new Set(['second']));
    second.setVisibility('hidden');
    await sleep(20);
    calls.length = 0;
    await sleep(150);
    expect(calls).toEqual([]);
    first.setVisibility('visible');
    await sleep(30);
    expect(calls).toEqual(['first']);
  });

  it('backs off exponentially with jitter on errors, then says unknown', async () => {
    const at: number[] = [];
    const start = performance.now();
    const failing = poller(fakeTab(fakeLocks()), async () => {
      at.push(performance.now() - start);
      throw new Error('offline');
    }, { name: 'backoff', intervalMs: 20, random: () => 1 });
    await sleep(400);
    const gaps = at.slice(1).map((time, index) => time - at[index]!);
    // 20 ms · 2^failures at the top of the jitter range: 40, 80, 160…
    expect(gaps.length).toBeGreaterThanOrEqual(2);
    expect(gaps[0]).toBeGreaterThanOrEqual(38);
    expect(gaps[1]).toBeGreaterThanOrEqual(78);
    expect(failing.$presence.get()).toEqual({ chat: null });
  });

  it('keeps the last known value through a single failed poll', async () => {
    let fail = false;
    const steady = poller(fakeTab(fakeLocks()), async () => {
      if (fail) throw new Error('blip');
      return answer(false);
    }, { name: 'blip', intervalMs: 30, random: () => 0 });
    await sleep(20);
    fail = true;
    await sleep(40);
    expect(steady.$presence.get()).toEqual({ chat: false });
  });

  it('without Web Locks, each visible tab polls for itself', async () => {
    let calls = 0;
    poller(fakeTab(undefined), async () => (calls++, answer(true)), { name: 'nolocks' });
    await sleep(100);
    expect(calls).toBeGreaterThanOrEqual(2);
  });

  it('stop() ends polling and closes the channel', async () => {
    let calls = 0;
    const stopped = poller(fakeTab(fakeLocks()), async () => (calls++, answer(true)), { name: 'stop' });
    await sleep(10);
    stopped.stop();
    const before = calls;
    await sleep(120);
    expect(calls).toBe(before);
  });
});
