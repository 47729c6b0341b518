import * as v from 'valibot';
import { textsSchema } from './texts.ts';
import { LOCALES, WIDGET_ID_PATTERN, type ChannelType as WireChannelType } from './wire.ts';

/**
 * The widget's public configuration: what `GET /v1/widgets/{id}/config` returns and the SDK validates.
 * Defined once here; the server's configuration file extends these same entries with server-only fields
 * (see `src/server/config-file.ts`), so the wire format cannot drift between the two sides.
 */

export { CHANNEL_TYPES, LOCALES } from './wire.ts';
export type { Locale } from './wire.ts';

const text = (max: number) => v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(max, `must be at most ${max} characters`));

export const widgetIdSchema = v.pipe(
  v.string(),
  v.regex(WIDGET_ID_PATTERN, 'must be 1–64 letters, digits, "-" or "_", starting with a letter or digit'),
);

const channelId = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, 'must be 1–32 letters, digits, "-" or "_"'),
);

/** A label for one language, or per language: `"Help"` or `{ "en": "Help", "ru": "Помощь" }`. */
export type LocalizedText = string | { en?: string; ru?: string };
const isLabel = (value: unknown) => typeof value === 'string' && value.trim() !== '' && value.length <= 80;
// A custom check rather than v.union: the SDK ships this schema, and the union would cost it 150 bytes.
const localizedText = v.custom<LocalizedText>(
  (value) =>
    isLabel(value) ||
    (!!value && typeof value === 'object' && Object.keys(value).length > 0 && Object.entries(value).every(([key, text]) => (key === 'en' || key === 'ru') && isLabel(text))),
  'must be a text of 1–80 characters, or {"en": …, "ru": …}',
);

/** E.164: what tel:, wa.me and viber:// all understand. */
const phone = v.pipe(v.string(), v.regex(/^\+[1-9]\d{6,14}$/, 'must be an international number such as +79990001122'));

export const httpUrlSchema = v.pipe(
  v.string(),
  v.maxLength(2048, 'must be at most 2048 characters'),
  // `javascript:` and `data:` links from a configuration must never reach an href.
  v.check((value) => /^https?:\/\/[^\s/]+/i.test(value) && canParseUrl(value), 'must be an http(s) URL'),
);

function canParseUrl(value: string): boolean {
  // Not URL.canParse: Safari < 17 lacks it, and the SDK runs this schema in visitors' browsers.
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

const origin = v.pipe(
  v.string(),
  v.check((value) => value === '*' || /^https?:\/\/[^/\s?#]+$/i.test(value), 'must be an origin such as https://acme.example (no path), or "*"'),
);

const common = { id: channelId, label: v.optional(localizedText) };

export const chaportChannelEntries = {
  ...common,
  type: v.literal('chaport'),
  /** Chaport's app id: 24 hex characters (Chaport's own plugins validate it so). */
  appId: v.pipe(v.string(), v.regex(/^[a-f\d]{24}$/i, 'must be Chaport\'s app id: 24 hexadecimal characters')),
  /** `hideWhenOffline`: the chat leaves the picker while every operator is offline. */
  display: v.optional(v.picklist(['always', 'hideWhenOffline'], 'must be "always" or "hideWhenOffline"'), 'always'),
  /** Chaport's region: `ru` loads from app.chaport.ru. */
  region: v.optional(v.picklist(['com', 'ru'], 'must be "com" or "ru"'), 'com'),
  /** Overrides Chaport's insert.js URL (the sandbox, or a self-hosted proxy). */
  scriptUrl: v.optional(httpUrlSchema),
  /** How long to wait for Chaport's `ready` before telling the visitor the chat is unavailable. */
  loadTimeoutSeconds: v.optional(v.pipe(v.number(), v.minValue(1), v.maxValue(120)), 15),
};

const channelShapes = {
  chaport: chaportChannelEntries,
  telegram: { ...common, type: v.literal('telegram'), username: v.pipe(v.string(), v.regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, 'must be a Telegram username (5–32 letters, digits or "_", without "@")')) },
  whatsapp: { ...common, type: v.literal('whatsapp'), phone, text: v.optional(text(500)) },
  /** A Viber number (`phone`) or a public account / bot (`chatUri`). */
  viber: { ...common, type: v.literal('viber'), phone: v.optional(phone), chatUri: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a Viber chat URI'))) },
  vk: { ...common, type: v.literal('vk'), group: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.]{2,64}$/, 'must be a VK community screen name')) },
  messenger: { ...common, type: v.literal('messenger'), page: v.pipe(v.string(), v.regex(/^[A-Za-z0-9.]{2,64}$/, 'must be a Facebook page username')) },
  /** The e-mail form (default), or a plain `mailto:` link with `form: false`. */
  email: { ...common, type: v.literal('email'), address: v.optional(v.pipe(v.string(), v.email('must be an e-mail address'))), form: v.optional(v.boolean(), true) },
  phone: { ...common, type: v.literal('phone'), phone },
  link: { ...common, type: v.literal('link'), url: httpUrlSchema, label: localizedText },
} as const;

// The wire's list of types and the schemas here are one list: a type added to one side only fails the type check.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
true satisfies Same<WireChannelType, keyof typeof channelShapes>;

export const channelSchema = v.variant(
  'type',
  [
    v.object(channelShapes.chaport),
    v.object(channelShapes.telegram),
    v.object(channelShapes.whatsapp),
    v.object(channelShapes.viber),
    v.object(channelShapes.vk),
    v.object(channelShapes.messenger),
    v.object(channelShapes.email),
    v.object(channelShapes.phone),
    v.object(channelShapes.link),
  ],
  `must be one of: ${Object.keys(channelShapes).join(', ')}`,
);

const hexColour = v.pipe(v.string(), v.regex(/^#(?:[\da-f]{3}){1,2}$/i, 'must be a hex colour such as #1f6feb'));

export const themeSchema = v.object({
  color: v.optional(hexColour, '#1f6feb'),
  position: v.optional(v.picklist(['left', 'right'], 'must be "left" or "right"'), 'right'),
  /** Text on the accent colour: black or white, whichever contrasts more. Computed by the server, never configured. */
  textColor: v.optional(hexColour),
});

/** Entries shared by the public schema and the server's configuration file. */
export const widgetConfigEntries = {
  id: widgetIdSchema,
  locale: v.optional(v.picklist(LOCALES, 'must be "en" or "ru"')),
  allowedOrigins: v.array(origin),
  theme: v.optional(themeSchema, {}),
  /** Re-open the chat by itself when an agent replies after the visitor closed it. */
  reopenOnReply: v.optional(v.boolean(), true),
  presence: v.optional(v.object({ pollSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(3600)), 30) }), {}),
};

type ChannelLike = { id: string; type: string; phone?: string | undefined; chatUri?: string | undefined; form?: boolean; address?: string | undefined };

/**
 * Rules that span fields: a valibot `rawCheck` so each problem is still reported at its own path.
 * Used by both the public schema and the server's file schema.
 */
export const channelRules = <T extends { channels: ChannelLike[] }>() =>
  v.rawCheck<T>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const { channels } = dataset.value;
    const seen = new Set<string>();
    channels.forEach((item, index) => {
      const at = (key: string, message: string) => {
        const channel = item as unknown as Record<string, unknown>;
        const step = (type: 'object' | 'array', input: unknown, key: string | number, value: unknown) => ({ type, origin: 'value', input, key, value }) as const;
        addIssue({ message, path: [step('object', dataset.value, 'channels', channels), step('array', channels, index, item), step('object', channel, key, channel[key])] as never });
      };
      if (seen.has(item.id)) at('id', `"${item.id}" is used by another channel`);
      seen.add(item.id);
      if (item.type === 'viber' && !item.phone && !item.chatUri) at('phone', 'a Viber channel needs "phone" or "chatUri"');
      if (item.type === 'email' && item.form === false && !item.address) at('address', 'an e-mail channel with "form": false needs an "address"');
    });
  });

const widgetConfigObject = v.object({
  ...widgetConfigEntries,
  texts: textsSchema,
  channels: v.pipe(v.array(channelSchema), v.minLength(1, 'needs at least one channel')),
});
export const widgetConfigSchema = v.pipe(widgetConfigObject, channelRules<v.InferOutput<typeof widgetConfigObject>>());

export type WidgetConfig = v.InferOutput<typeof widgetConfigSchema>;
export type WidgetConfigInput = v.InferInput<typeof widgetConfigSchema>;
export type Channel = WidgetConfig['channels'][number];
export type ChannelType = Channel['type'];
export type ChannelOf<T extends ChannelType> = Extract<Channel, { type: T }>;
export type ChaportChannel = ChannelOf<'chaport'>;
export { channelShapes };
