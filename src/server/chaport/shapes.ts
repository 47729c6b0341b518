import * as v from 'valibot';
import type { MessageAuthor, VisitorSnapshot } from '../../contract/helpdesk.ts';

/**
 * Chaport's REST shapes, read leniently, and every assumption about them in this one file. What is documented
 * (shared/chaport-protocol.md) is relied on; what is not is read from any of the names it might have, and when
 * none is there the answer is "unknown" (null), never a guess.
 */

const text = v.optional(v.nullable(v.unknown()));
const str = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value : typeof value === 'number' ? String(value) : null);

export const visitorShape = v.looseObject({ id: v.union([v.string(), v.number()]) });
export const chatEventShape = v.looseObject({
  id: v.union([v.string(), v.number()]),
  type: v.string(),
  params: v.optional(v.looseObject({ text, operatorId: text })),
  createdAt: text,
});
/** `GET /visitors/{id}/chats`: ONE object (the current or latest chat). Chat ids are integers [T]. */
export const chatShape = v.looseObject({
  id: v.union([v.number(), v.string()]),
  stage: v.optional(v.string()),
  events: v.optional(v.array(chatEventShape)),
});
export type ChaportChatEvent = v.InferOutput<typeof chatEventShape>;

/** One reading of an event time: ISO text, or unix seconds (Chaport's mobile bridge uses those), or ms. */
export function timeOf(value: unknown, fallback: number): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value < 1e12 ? value * 1000 : value;
  if (typeof value === 'string') {
    const parsed = Date.parse(value);
    if (!Number.isNaN(parsed)) return parsed;
  }
  return fallback;
}

const first = (record: Record<string, unknown>, ...keys: string[]) => {
  for (const key of keys) {
    const value = str(record[key]);
    if (value !== null) return value;
  }
  return null;
};

/** `browser` and `location` may be text or small objects; joined the way a person reads them. */
function describe(value: unknown, keys: string[]): string | null {
  if (typeof value === 'string') return value.trim() || null;
  if (value && typeof value === 'object') {
    const parts = keys.map((key) => str((value as Record<string, unknown>)[key])).filter((part): part is string => part !== null);
    return parts.length ? parts.join(keys.includes('version') ? ' ' : ', ') : null;
  }
  return null;
}

/** Custom fields: an object, or a list of `{key|name, value}`; only plain values are kept. */
function customFields(value: unknown): Record<string, string | number | boolean> {
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((item) => [str((item as Record<string, unknown>)?.key ?? (item as Record<string, unknown>)?.name) ?? '', (item as Record<string, unknown>)?.value])
    : value && typeof value === 'object'
      ? Object.entries(value)
      : [];
  return Object.fromEntries(entries.filter(([key, item]) => key && ['string', 'number', 'boolean'].includes(typeof item))) as Record<string, string | number | boolean>;
}

/**
 * The visitor, as the agent sees it. Documented [T]: name, email, phone, notes, custom fields, browser, OS, location,
 * last seen; per chat: the start page. Not found in any source: the IP address and the chat's language — read if
 * Chaport sends them under an obvious name, unknown otherwise.
 */
export function visitorSnapshot(visitor: Record<string, unknown>, chat: Record<string, unknown> | null): VisitorSnapshot {
  return {
    chaportVisitorId: str(visitor.id),
    name: first(visitor, 'name'),
    email: first(visitor, 'email'),
    phone: first(visitor, 'phone'),
    lastVisitAt: first(visitor, 'lastVisitAt', 'lastSeenAt', 'lastSeen', 'lastActivityAt'),
    currentPage: first(visitor, 'currentPage', 'currentUrl', 'lastPage'),
    startPage: (chat && first(chat, 'startPage', 'startUrl')) ?? first(visitor, 'startPage'),
    browser: describe(visitor.browser, ['name', 'version']),
    ip: first(visitor, 'ip', 'ipAddress'),
    language: (chat && first(chat, 'language')) ?? first(visitor, 'chatLanguage', 'language'),
    os: describe(visitor.os, ['name', 'version']),
    location: describe(visitor.location, ['city', 'region', 'country']),
    custom: customFields(visitor.custom ?? visitor.customFields),
  };
}

/**
 * Who wrote a chat event, or null for events that are not messages (opened pages, invitations). Documented:
 * `visitor-message`, `operator-message`; trigger (automatic) messages are the bot's; anything else carrying text
 * is shown as a system line rather than dropped.
 */
export function authorOf(event: ChaportChatEvent): MessageAuthor | null {
  const hasText = str(event.params?.text) !== null;
  if (event.type === 'visitor-message') return hasText ? 'visitor' : null;
  if (event.type === 'operator-message') return hasText ? 'operator' : null;
  if (/bot|trigger|auto/i.test(event.type)) return hasText ? 'bot' : null;
  return hasText ? 'system' : null;
}

export const eventText = (event: ChaportChatEvent) => str(event.params?.text) ?? '';
export const eventOperator = (event: ChaportChatEvent) => str(event.params?.operatorId);
/** Where the external id of a message we sent comes back, if Chaport echoes it. Unverified: both names are read. */
export const eventExternalId = (event: ChaportChatEvent) => str((event as Record<string, unknown>).externalId) ?? str((event as Record<string, unknown>).external_id);
export const isClosed = (chat: { stage?: string | undefined }) => chat.stage === 'closed';
