import type { Channel } from '../../contract/config.ts';

/** Presence per chat channel id: true online, false offline, null unknown; absent until the first answer. */
export type PresenceMap = Readonly<Record<string, boolean | null | undefined>>;

/**
 * The channels to offer now, in configured order. A `hideWhenOffline` chat shows only while an operator is
 * online or presence is unknown (Chaport's offline mode still takes a message) — and always to a visitor with
 * an ongoing conversation, who must never lose access to it. Before the first presence answer it stays hidden:
 * appearing a moment later reads as loading, disappearing would read as flicker. `untilOffline` counts it until
 * presence says offline: what the widget offers, as `ready` tells it before the first answer (#11).
 */
export function visibleChannels(channels: readonly Channel[], presence: PresenceMap, chatOngoing: boolean, untilOffline = false): Channel[] {
  return channels.filter(
    (channel) =>
      channel.type !== 'chaport' ||
      channel.display !== 'hideWhenOffline' ||
      chatOngoing ||
      (presence[channel.id] !== false && (untilOffline || presence[channel.id] !== undefined)),
  );
}
