import { atom, type ReadableAtom, type WritableAtom } from 'nanostores';
import type { PresenceResponse } from '../../contract/api.ts';
import type { PresenceMap } from '../channels/visibility.ts';

export interface PresencePoller {
  readonly $presence: ReadableAtom<PresenceMap>;
  stop(): void;
}

export interface PollerDeps {
  /** Scopes the lock and the broadcast channel: one poller per widget per browser. */
  name: string;
  /** The chat channels being watched: they become `null` (unknown) when presence cannot be had. */
  channelIds: readonly string[];
  intervalMs: number;
  fetchPresence(): Promise<PresenceResponse>;
  win: Window & typeof globalThis;
  /** A poll failed after the last one succeeded (once per run of failures, so a long outage is not a flood). */
  onError?(error: unknown): void;
  /** The widget's presence store (its record of stores); a new one when absent (tests). */
  $presence?: WritableAtom<PresenceMap>;
  random?: () => number;
  now?: () => number;
}

type Message = { type: 'hello' } | { type: 'presence'; channels: PresenceMap; at: number };

const MAX_BACKOFF_MS = 10 * 60_000;
/** Failed polls in a row after which a last known value is no longer trusted and presence becomes unknown. */
const FAILURES_BEFORE_UNKNOWN = 3;

/**
 * Polls presence once per browser, not once per tab. Tabs elect a leader with the Web Locks API; only a visible
 * tab ever asks for the lock, so a hidden tab makes no request, and a leader that becomes hidden hands over to
 * a visible tab (or to nobody). The leader shares each answer on a BroadcastChannel; a new tab asks for the
 * latest one instead of fetching. Errors back off exponentially with jitter. Browsers without Web Locks or
 * BroadcastChannel poll per visible tab.
 */
export function createPresencePoller(deps: PollerDeps): PresencePoller {
  const { win, intervalMs, random = Math.random, now = Date.now } = deps;
  const doc = win.document;
  const $presence = deps.$presence ?? atom<PresenceMap>({});
  const channel = 'BroadcastChannel' in win ? new win.BroadcastChannel(`omniwidget:presence:${deps.name}`) : null;
  const locks = win.navigator.locks;
  let lastAt = 0;
  let failures = 0;
  let stopped = false;
  let leadership: AbortController | null = null;

  const apply = (channels: PresenceMap, at: number) => {
    lastAt = Math.max(lastAt, at);
    const current = $presence.get();
    if (Object.keys(channels).some((id) => current[id] !== channels[id]) || Object.keys(current).length !== Object.keys(channels).length) $presence.set(channels);
  };

  const unknown = () => Object.fromEntries(deps.channelIds.map((id) => [id, null]));

  async function pollOnce(): Promise<number> {
    try {
      const response = await deps.fetchPresence();
      failures = 0;
      const channels: Record<string, boolean | null> = {};
      for (const id of deps.channelIds) {
        const online = response.channels[id]?.online;
        channels[id] = typeof online === 'boolean' ? online : null;
      }
      apply(channels, now());
      channel?.postMessage({ type: 'presence', channels, at: now() } satisfies Message);
      return intervalMs;
    } catch (error) {
      if (stopped) return intervalMs;
      if (++failures === 1) deps.onError?.(error);
      // Keep a trusted last value through a blip; without one (or after several failures) say unknown, which shows the chat.
      if (failures >= FAILURES_BEFORE_UNKNOWN || Object.keys($presence.get()).length === 0) apply(unknown(), now());
      lastAt = now();
      const ceiling = Math.min(MAX_BACKOFF_MS, intervalMs * 2 ** failures);
      return ceiling / 2 + (random() * ceiling) / 2;
    }
  }

  /** The leader's loop: runs until the tab hides or the widget stops. */
  async function lead(signal: AbortSignal): Promise<void> {
    let delay = Math.max(0, lastAt + intervalMs - now());
    while (!signal.aborted) {
      if (delay > 0) {
        await new Promise<void>((resolve) => {
          // One listener per wait, removed when the wait ends either way: they added up, ≈120 an hour (#11).
          const done = () => {
            clearTimeout(timer);
            signal.removeEventListener('abort', done);
            resolve();
          };
          const timer = setTimeout(done, delay);
          signal.addEventListener('abort', done);
        });
        if (signal.aborted) return;
      }
      delay = await pollOnce();
    }
  }

  function startLeading(): void {
    if (stopped || leadership || doc.visibilityState === 'hidden') return;
    const controller = (leadership = new AbortController());
    if (!locks || !channel) {
      void lead(controller.signal);
      return;
    }
    // The request itself is aborted if this tab hides while still waiting for the lock.
    locks.request(`omniwidget:presence:${deps.name}`, { signal: controller.signal }, () => lead(controller.signal)).catch(() => {
      // Aborted (the tab hid, the widget stopped): nothing to do. Refused for any other reason (a sandboxed or
      // opaque-origin document, a browser bug): poll from this tab rather than never, which is what was left (#11).
      if (controller.signal.aborted || leadership !== controller) return;
      void lead(controller.signal);
    });
  }

  function stopLeading(): void {
    leadership?.abort();
    leadership = null;
  }

  const onVisibility = () => (doc.visibilityState === 'hidden' ? stopLeading() : startLeading());
  doc.addEventListener('visibilitychange', onVisibility);
  if (channel) {
    channel.onmessage = (event: MessageEvent<Message>) => {
      const message = event.data;
      if (message?.type === 'presence') apply(message.channels, message.at);
      // Only the tab polling answers a newcomer, so the answer is the freshest there is.
      else if (message?.type === 'hello' && leadership && lastAt && !stopped)
        channel.postMessage({ type: 'presence', channels: $presence.get(), at: lastAt } satisfies Message);
    };
    channel.postMessage({ type: 'hello' } satisfies Message);
  }
  startLeading();

  return {
    $presence,
    stop() {
      stopped = true;
      stopLeading();
      doc.removeEventListener('visibilitychange', onVisibility);
      channel?.close();
    },
  };
}
