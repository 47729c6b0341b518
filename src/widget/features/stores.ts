import { atom, type WritableAtom } from 'nanostores';
import type { PresenceMap } from '../channels/visibility.ts';
import type { ChatState } from '../chat/chat.ts';
import type { Delivery } from '../email/outbox.ts';
import type { Draft, FieldErrors, PanelState, UiParts } from '../ui/model.ts';

/**
 * Everything the widget shows, as one record of stores. The render snapshot and the render's subscriptions are
 * both made from this record, so a store cannot be shown without being listened to, or the reverse (#11).
 */
export function createStores({ chatOngoing }: { chatOngoing: boolean }) {
  return {
    panel: atom<PanelState>({ open: false, screen: 'picker' }),
    chat: atom<ChatState>({ status: 'idle', expanded: false, unread: 0, ongoing: chatOngoing }),
    presence: atom<PresenceMap>({}),
    deliveries: atom<Delivery[]>([]),
    lastDelivery: atom<string | undefined>(undefined),
    draft: atom<Draft>({ name: '', email: '', message: '' }),
    errors: atom<FieldErrors>({}),
    /** The parts of the UI loaded so far (the panel, the e-mail form): chunks arrive as they are needed. */
    parts: atom<UiParts>({}),
  };
}

export type Stores = ReturnType<typeof createStores>;
export type Snapshot = { [K in keyof Stores]: Stores[K] extends WritableAtom<infer T> ? T : never };

/** The value of every store now. */
export function snapshotOf(stores: Stores): Snapshot {
  const snapshot: Record<string, unknown> = {};
  for (const [name, store] of Object.entries(stores)) snapshot[name] = store.get();
  return snapshot as Snapshot;
}

/** Calls `listener` on a change of any store; returns one function that stops listening to all of them. */
export function listenAll(stores: Stores, listener: () => void): () => void {
  const stops = Object.values(stores).map((store: WritableAtom<unknown>) => store.listen(listener));
  return () => stops.forEach((stop) => stop());
}
