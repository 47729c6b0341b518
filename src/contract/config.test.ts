import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TEXTS, formatIssues, messageRequestSchema, presenceResponseSchema, widgetConfigSchema } from './index.ts';

/** The example configuration of SPEC.md, verbatim. */
const specExample = {
  id: 'acme',
  locale: 'ru',
  allowedOrigins: ['https://acme.example'],
  theme: { color: '#1f6feb', position: 'right' },
  reopenOnReply: true,
  presence: { pollSeconds: 30 },
  texts: DEFAULT_TEXTS,
  channels: [
    { id: 'chat', type: 'chaport', appId: '5c1f0e0d0c0b0a0908070605', display: 'hideWhenOffline' },
    { id: 'tg', type: 'telegram', username: 'acme_support' },
    { id: 'wa', type: 'whatsapp', phone: '+79990001122' },
    { id: 'mail', type: 'email' },
    { id: 'call', type: 'phone', phone: '+74950001122' },
    { id: 'kb', type: 'link', url: 'https://acme.example/help', label: 'Help center' },
  ],
};

function errorsOf(input: unknown): string {
  const result = v.safeParse(widgetConfigSchema, input);
  return result.success ? '' : formatIssues(result.issues);
}

describe('widget configuration schema', () => {
  it('accepts the example of SPEC.md and fills in defaults', () => {
    const config = v.parse(widgetConfigSchema, specExample);
    expect(config.channels).toHaveLength(6);
    expect(config.channels[0]).toMatchObject({ type: 'chaport', display: 'hideWhenOffline', region: 'com', loadTimeoutSeconds: 15 });
    expect(config.channels[3]).toMatchObject({ type: 'email', form: true });
    const minimal = v.parse(widgetConfigSchema, { id: 'x', allowedOrigins: [], texts: DEFAULT_TEXTS, channels: [{ id: 'c', type: 'chaport', appId: 'a'.repeat(24) }] });
    expect(minimal.theme).toEqual({ color: '#1f6feb', position: 'right' });
    expect(minimal.reopenOnReply).toBe(true);
    expect(minimal.presence.pollSeconds).toBe(30);
    expect(minimal.channels[0]).toMatchObject({ display: 'always' });
  });

  it('accepts every channel type', () => {
    const config = v.parse(widgetConfigSchema, {
      ...specExample,
      channels: [
        ...specExample.channels,
        { id: 'vb', type: 'viber', phone: '+79990001122' },
        { id: 'vbpa', type: 'viber', chatUri: 'acme-bot' },
        { id: 'vk', type: 'vk', group: 'acme' },
        { id: 'fb', type: 'messenger', page: 'acme.support' },
        { id: 'mailto', type: 'email', form: false, address: 'help@acme.example' },
      ],
    });
    expect(config.channels.map((c) => c.type)).toEqual(['chaport', 'telegram', 'whatsapp', 'email', 'phone', 'link', 'viber', 'viber', 'vk', 'messenger', 'email']);
  });

  it('names the bad field', () => {
    expect(errorsOf({ ...specExample, channels: [{ id: 'chat', type: 'chaport', appId: 'nope' }] })).toBe(
      "channels[0].appId: must be Chaport's app id: 24 hexadecimal characters",
    );
    expect(errorsOf({ ...specExample, channels: [{ id: 'x', type: 'fax' }] })).toMatch(/^channels\[0\]\.type: must be one of: chaport, telegram/);
    expect(errorsOf({ ...specExample, theme: { color: 'red' } })).toBe('theme.color: must be a hex colour such as #1f6feb');
    expect(errorsOf({ ...specExample, allowedOrigins: ['https://acme.example/path'] })).toMatch(/^allowedOrigins\[0\]: must be an origin/);
    expect(errorsOf({ ...specExample, channels: [] })).toBe('channels: needs at least one channel');
    expect(errorsOf({ ...specExample, channels: [{ id: 'w', type: 'whatsapp', phone: '8 999 000' }] })).toMatch(/^channels\[0\]\.phone: must be an international number/);
  });

  it('refuses links that are not http(s), so no javascript: URL reaches an href', () => {
    expect(errorsOf({ ...specExample, channels: [{ id: 'x', type: 'link', url: 'javascript:alert(1)', label: 'x' }] })).toBe(
      'channels[0].url: must be an http(s) URL',
    );
  });

  it('checks rules that span fields, each at its own path', () => {
    expect(
      errorsOf({
        ...specExample,
        channels: [
          { id: 'a', type: 'telegram', username: 'acme_support' },
          { id: 'a', type: 'viber' },
          { id: 'm', type: 'email', form: false },
        ],
      }),
    ).toBe(
      [
        'channels[1].id: "a" is used by another channel',
        'channels[1].phone: a Viber channel needs "phone" or "chatUri"',
        'channels[2].address: an e-mail channel with "form": false needs an "address"',
      ].join('\n'),
    );
  });
});

describe('message request schema', () => {
  it('validates without changing a byte of what it accepts', () => {
    const body = { name: ' Ann ', email: 'a@b.co', message: '  hi\n\n  there  ', page: 'https://acme.example/?a=1' };
    expect(v.parse(messageRequestSchema, body)).toEqual(body);
    const result = v.safeParse(messageRequestSchema, { email: ' a@b.co', message: '   ' });
    expect(result.success).toBe(false);
    if (!result.success) expect(formatIssues(result.issues)).toBe('email: must be an e-mail address\nmessage: is required');
  });

  it('refuses text that could not be stored exactly: NUL and unpaired surrogates, naming the field', () => {
    const errors = (body: Record<string, string>) => {
      const result = v.safeParse(messageRequestSchema, { email: 'a@b.co', message: 'hi', ...body });
      return result.success ? '' : formatIssues(result.issues);
    };
    expect(errors({ message: 'before\u0000after' })).toBe('message: must not contain NUL characters or unpaired surrogates');
    expect(errors({ message: '\u0000' })).toBe('message: must not contain NUL characters or unpaired surrogates');
    expect(errors({ name: 'lone \ud800 high' })).toBe('name: must not contain NUL characters or unpaired surrogates');
    expect(errors({ message: 'lone \udc00 low' })).toBe('message: must not contain NUL characters or unpaired surrogates');
    expect(errors({ message: 'a pair 😀 is fine' })).toBe('');
  });

  it('refuses a missing email with a message that names it', () => {
    const result = v.safeParse(messageRequestSchema, { message: 'hello' });
    expect(result.success).toBe(false);
    if (!result.success) expect(formatIssues(result.issues)).toBe('email: is required');
  });
});

describe('presence response schema', () => {
  it('allows unknown presence as null', () => {
    expect(v.parse(presenceResponseSchema, { channels: { chat: { online: null } }, checkedAt: null })).toEqual({
      channels: { chat: { online: null } },
      checkedAt: null,
    });
  });
});
