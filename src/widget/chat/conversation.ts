import type { KeyValueStorage } from '../storage.ts';

/** The storage key of the visitor's conversation: when it last had activity. */
export const CONVERSATION_KEY = 'chat';
/** How long a conversation keeps Chaport loading on every page after its last activity. */
export const CONVERSATION_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * Whether this visitor has a conversation going on (so Chaport loads with the page and replies can arrive). In the
 * first chunk, apart from the chat adapter: it decides whether the adapter loads before any interaction (#11).
 */
export function conversationRemembered(storage: KeyValueStorage | null, now: number): boolean {
  try {
    const saved = JSON.parse(storage?.get(CONVERSATION_KEY) ?? 'null') as { at?: number } | null;
    return !!saved?.at && now - saved.at < CONVERSATION_TTL_MS;
  } catch {
    return false;
  }
}
