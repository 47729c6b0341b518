import type { WidgetConfig } from '../../contract/config.ts';
import { reasonOf, type ApiClient } from '../api.ts';
import type { Emitter } from '../emitter.ts';
import { OmniwidgetError } from '../errors.ts';
import { createPresencePoller } from '../presence/poller.ts';
import type { WidgetEvents } from '../types.ts';
import type { Stores } from './stores.ts';

export interface PresenceFeature {
  /** Starts polling (after the launcher is drawn: nothing but the launcher stands between a page and its first paint). */
  start(): void;
  /** Resolves once every watched chat's presence is known: an answer, or "unknown" after failures. */
  settled(): Promise<void>;
  stop(): void;
}

export interface PresenceDeps {
  config: WidgetConfig;
  /** Scopes the poller: one per widget and API per browser. */
  name: string;
  api: Pick<ApiClient, 'presence' | 'timeout'>;
  stores: Pick<Stores, 'presence'>;
  events: Pick<Emitter<WidgetEvents>, 'emit'>;
  win: Window & typeof globalThis;
  report(error: unknown): void;
}

/**
 * Presence of the chats that hide while offline: polled once per browser into the `presence` store, told to
 * `presence` listeners on each change, and to `error` listeners when polling starts failing. A chat shown
 * `always` costs no request.
 */
export function presenceFeature({ config, name, api, stores, events, win, report }: PresenceDeps): PresenceFeature {
  const watched = config.channels.filter((channel) => channel.type === 'chaport' && channel.display === 'hideWhenOffline').map((channel) => channel.id);
  if (!watched.length) return { start() {}, settled: () => Promise.resolve(), stop() {} };
  const $presence = stores.presence;
  const known = () => watched.every((id) => $presence.get()[id] !== undefined);
  const waiting = new Set<() => void>();
  let last = $presence.get();
  const stopListening = $presence.listen((presence) => {
    for (const id of watched) if (presence[id] !== undefined && presence[id] !== last[id]) events.emit('presence', { channel: id, online: presence[id] ?? null });
    last = presence;
    if (known()) for (const resolve of waiting) resolve();
  });
  let poller: ReturnType<typeof createPresencePoller> | undefined;
  const start = () =>
    (poller ??= createPresencePoller({
    name,
    channelIds: watched,
    intervalMs: config.presence.pollSeconds * 1000,
    fetchPresence: api.presence,
    win,
    $presence,
    onError: (error) =>
      report(new OmniwidgetError('presence_unavailable', `Could not tell whether the operators of widget "${config.id}" are online: ${reasonOf(error, api.timeout)}`, { cause: error })),
    }));
  let stopped = false;
  return {
    start: () => void (stopped || start()),
    settled: () =>
      known()
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const done = () => (waiting.delete(done), resolve());
            waiting.add(done);
          }),
    stop() {
      stopped = true;
      poller?.stop();
      stopListening();
      waiting.clear();
    },
  };
}
