import type { Channel } from '../../contract/config.ts';
import { channelHref, opensNewTab, phoneNumberOf } from '../channels/links.ts';
import { localized } from '../i18n/locale.ts';
import { Icon } from './icons.tsx';
import type { WidgetUi } from '../ui/model.ts';

/** The channel picker: configured order, an icon and a localized label each; deep links are real links. */
export function ChannelList({ channels, ui }: { channels: readonly Channel[]; ui: WidgetUi }) {
  return (
    <ul class="channels" role="list">
      {channels.map((channel) => {
        const href = channelHref(channel);
        const newTab = !!href && opensNewTab(href);
        const number = phoneNumberOf(channel);
        const props = { class: `channel t-${channel.type}`, 'data-channel': channel.id, onClick: () => ui.select(channel) };
        const content = [
          <span class="mark">
            <Icon name={channel.type} />
          </span>,
          <span class="text">
            {localized(channel.label, ui.locale) ?? ui.t[channel.type]}
            {/* On a desktop `tel:` and `viber:` usually open nothing: the number is there to read or copy (#11). */}
            {number && ' '}
            {number && <span class="sub">{number}</span>}
          </span>,
          newTab && <span class="sr"> {ui.t.newTab}</span>,
        ];
        return (
          <li key={channel.id}>
            {href ? (
              <a {...props} href={href} {...(newTab ? { target: '_blank', rel: 'noopener noreferrer' } : {})}>
                {content}
              </a>
            ) : (
              <button type="button" {...props}>
                {content}
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}
