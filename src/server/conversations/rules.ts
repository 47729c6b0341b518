import type { HelpdeskConfig } from '../config/helpdesk.ts';
import type { ConversationRules } from './commands.ts';

const DEFAULT_IDLE_MINUTES = 10;

/** What the conversation commands need from the current configuration (no secrets). */
export function rulesOf(helpdesk: HelpdeskConfig): ConversationRules {
  const { settings, chaport } = helpdesk;
  return {
    defaultGroup: chaport?.settings.defaultGroup ?? settings.groups[0]!.id,
    routing: chaport?.settings.routing ?? [],
    idleMs: (chaport?.settings.idleMinutes ?? DEFAULT_IDLE_MINUTES) * 60_000,
    automation: settings.automation,
    endpoints: settings.webhooks.filter((endpoint) => helpdesk.webhookSecrets.has(endpoint.id)).map(({ id, events }) => ({ id, events })),
  };
}
