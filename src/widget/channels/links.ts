import type { Channel } from '../../contract/config.ts';

const digits = (phone: string) => phone.replace(/\D/g, '');

/**
 * The deep link a channel opens, or null for channels that open inside the panel (the chat, the e-mail form).
 * Every value interpolated here was validated by the shared schema, so no configuration can produce a
 * `javascript:` URL.
 */
export function channelHref(channel: Channel): string | null {
  switch (channel.type) {
    case 'telegram':
      return `https://t.me/${channel.username}`;
    case 'whatsapp':
      return `https://wa.me/${digits(channel.phone)}${channel.text ? `?text=${encodeURIComponent(channel.text)}` : ''}`;
    case 'viber':
      return channel.phone ? `viber://chat?number=%2B${digits(channel.phone)}` : `viber://pa?chatURI=${encodeURIComponent(channel.chatUri ?? '')}`;
    case 'vk':
      return `https://vk.me/${channel.group}`;
    case 'messenger':
      return `https://m.me/${channel.page}`;
    case 'email':
      return channel.form ? null : `mailto:${channel.address}`;
    case 'phone':
      return `tel:${channel.phone}`;
    case 'link':
      return channel.url;
    case 'chaport':
      return null;
  }
}

/** Web links open in a new tab; app schemes (tel:, mailto:, viber:) hand over to an app without leaving the page. */
export const opensNewTab = (href: string) => /^https?:/i.test(href);

/**
 * The number a phone or Viber channel calls, as configured (E.164, `+79990001122`): grouping its digits needs each
 * country's numbering plan, and a wrong grouping misleads more than none.
 */
export const phoneNumberOf = (channel: Channel): string | null => (channel.type === 'phone' || channel.type === 'viber' ? (channel.phone ?? null) : null);
