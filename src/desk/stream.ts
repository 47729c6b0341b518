import { $connection, $selected, loadLists, open, refresh } from './state.ts';

/**
 * The live stream (`/v1/events`, server-sent events): each change to a conversation refreshes it where it is
 * shown. The browser reconnects by itself and sends the last event's id, so nothing is missed; a `reset` (the gap
 * was too long) reloads the lists.
 */
export function connectStream(): () => void {
  const source = new EventSource('/v1/events');
  source.addEventListener('open', () => $connection.set('live'));
  source.addEventListener('error', () => $connection.set('reconnecting'));
  source.addEventListener('conversation', (event) => {
    const { conversationId } = JSON.parse((event as MessageEvent<string>).data) as { conversationId: string };
    void refresh(conversationId);
  });
  source.addEventListener('reset', () => {
    void loadLists();
    void open($selected.get());
  });
  return () => source.close();
}
