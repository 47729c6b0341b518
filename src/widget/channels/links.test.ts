import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TEXTS } from '../../contract/texts.ts';
import { widgetConfigSchema, type Channel } from '../../contract/config.ts';
import { channelHref, opensNewTab } from './links.ts';

const parse = (channel: Record<string, unknown>): Channel =>
  v.parse(widgetConfigSchema, { id: 'w', allowedOrigins: [], texts: DEFAULT_TEXTS, channels: [{ id: 'c', ...channel }] }).channels[0]!;

describe('channelHref', () => {
  it.each([
    [{ type: 'telegram', username: 'acme_support' }, 'https://t.me/acme_support'],
    [{ type: 'whatsapp', phone: '+79990001122' }, 'https://wa.me/79990001122'],
    [{ type: 'whatsapp', phone: '+79990001122', text: 'Hi & bye' }, 'https://wa.me/79990001122?text=Hi%20%26%20bye'],
    [{ type: 'viber', phone: '+79990001122' }, 'viber://chat?number=%2B79990001122'],
    [{ type: 'viber', chatUri: 'acme-bot' }, 'viber://pa?chatURI=acme-bot'],
    [{ type: 'vk', group: 'acme' }, 'https://vk.me/acme'],
    [{ type: 'messenger', page: 'acme.support' }, 'https://m.me/acme.support'],
    [{ type: 'email', form: false, address: 'help@acme.example' }, 'mailto:help@acme.example'],
    [{ type: 'email' }, null],
    [{ type: 'phone', phone: '+74950001122' }, 'tel:+74950001122'],
    [{ type: 'link', url: 'https://acme.example/help', label: 'Help' }, 'https://acme.example/help'],
    [{ type: 'chaport', appId: '5c1f0e0d0c0b0a0908070605' }, null],
  ])('%o → %s', (channel, href) => {
    expect(channelHref(parse(channel))).toBe(href);
  });

  it('opens web links in a new tab and app schemes in place', () => {
    expect(opensNewTab('https://t.me/x')).toBe(true);
    expect(opensNewTab('tel:+7')).toBe(false);
    expect(opensNewTab('viber://chat?number=%2B7')).toBe(false);
  });
});
