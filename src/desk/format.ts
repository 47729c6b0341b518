import type { Conversation, ConversationChannel } from '../contract/helpdesk.ts';
import { $config } from './state.ts';

export const channelName = (channel: ConversationChannel) => (channel === 'online_chat' ? 'Online chat' : 'E-mail');
export const groupName = (id: string) => $config.get()?.groups.find((group) => group.id === id)?.name ?? id;
export const visitorName = (conversation: Pick<Conversation, 'visitor'>) => conversation.visitor.name ?? conversation.visitor.email ?? 'Visitor';

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
/** "2 minutes ago", "yesterday": how long ago, as a person says it. */
export function ago(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [
    ['day', 86_400],
    ['hour', 3600],
    ['minute', 60],
  ];
  for (const [unit, size] of steps) if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  return 'just now';
}

export const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
