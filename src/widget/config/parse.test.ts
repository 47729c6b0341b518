import { describe, expect, it } from 'vitest';
import { DEFAULT_TEXTS } from '../../contract/texts.ts';
import { ConfigError } from '../errors.ts';
import { parseConfig } from './parse.ts';
import { isServedConfig } from './served.ts';

const URL = 'https://help.acme.test/v1/widgets/acme/config';
const config = { id: 'acme', allowedOrigins: [], texts: DEFAULT_TEXTS, channels: [{ id: 'tg', type: 'telegram', username: 'acme_support' }] };
const errorOf = (json: unknown) => {
  try {
    parseConfig(json, 'acme', URL);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
};

describe('the full schema (the panel chunk)', () => {
  it('validates with the shared schema, defaults filled in', () => {
    const { config: parsed, dropped } = parseConfig(config, 'acme', URL);
    expect(parsed).toMatchObject({ id: 'acme', reopenOnReply: true, theme: { color: '#1f6feb', position: 'right' }, presence: { pollSeconds: 30 } });
    expect(dropped).toEqual([]);
  });

  it('refuses invalid configurations, naming the fields', () => {
    expect(errorOf({ ...config, theme: { color: 'blue' } })).toMatch(/is invalid:\ntheme\.color: must be a hex colour such as #1f6feb$/);
    expect(errorOf({ id: 'acme', allowedOrigins: [], channels: [] })).toMatch(/is invalid:\ntexts: is required\nchannels: needs at least one channel$/);
    expect(errorOf({ ...config, id: 'other' })).toMatch(/is for widget "other", not "acme"$/);
  });

  it('drops a channel it does not understand, keeps the others, and says which', () => {
    const { config: parsed, dropped } = parseConfig({ ...config, channels: [{ id: 'max', type: 'max-messenger', handle: 'acme' }, ...config.channels] }, 'acme', URL);
    expect(parsed.channels.map((channel) => channel.id)).toEqual(['tg']);
    expect(dropped).toEqual([expect.stringMatching(/^channels\[0\]\.type: must be one of: chaport, telegram/)]);
  });
});

describe('a configuration exactly as served (the launcher shows before the schema loads)', () => {
  const served = parseConfig({ ...config, channels: [{ id: 'chat', type: 'chaport', appId: 'a'.repeat(24) }, ...config.channels] }, 'acme', URL).config;

  it('is what the server serves: the schema\'s own output', () => {
    expect(isServedConfig(served, 'acme')).toBe(true);
    expect(isServedConfig(JSON.parse(JSON.stringify(served)), 'acme')).toBe(true);
  });

  it('anything else takes the full schema first: defaults missing, another widget, unknown or malformed channels, no texts', () => {
    expect(isServedConfig(config, 'acme')).toBe(false); // defaults not filled in: an older server, or a hand-written answer
    expect(isServedConfig(served, 'other')).toBe(false);
    expect(isServedConfig({ ...served, channels: [] }, 'acme')).toBe(false);
    expect(isServedConfig({ ...served, channels: [{ id: 'max', type: 'max-messenger' }] }, 'acme')).toBe(false);
    expect(isServedConfig({ ...served, channels: [{ ...served.channels[0], display: undefined }] }, 'acme')).toBe(false);
    expect(isServedConfig({ ...served, texts: { en: DEFAULT_TEXTS.en } }, 'acme')).toBe(false);
    expect(isServedConfig({ ...served, theme: { ...served.theme, color: 'red' } }, 'acme')).toBe(false);
    expect(isServedConfig(null, 'acme')).toBe(false);
    expect(isServedConfig('acme', 'acme')).toBe(false);
  });
});
