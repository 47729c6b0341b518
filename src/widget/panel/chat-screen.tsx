import { Icon } from './icons.tsx';
import type { View, WidgetUi } from '../ui/model.ts';
import { ChannelList } from './channel-list.tsx';

/** What the panel shows while the chat is not open: asking consent, connecting, ready but closed, or unavailable. */
export function ChatScreen({ view, ui }: { view: View; ui: WidgetUi }) {
  const { t } = ui;
  const { status } = view.chat;
  if (status === 'consent')
    return (
      <div>
        <p>{t.chatConsent}</p>
        <button type="button" class="primary" onClick={ui.acceptChat}>
          {t.chatConsentAccept}
        </button>
      </div>
    );
  if (status === 'failed')
    return (
      <div>
        <p class="alert" role="alert">
          <Icon name="alert" />
          <span>{t.chatFailed}</span>
        </p>
        <ChannelList channels={view.channels.filter((channel) => channel.type !== 'chaport')} ui={ui} />
      </div>
    );
  // Ready, yet its window is not open (an `open()` Chaport did not act on): the visitor can ask again, rather than
  // wait on "Connecting…" for ever (the likely cause of the presence.spec flake, #11).
  if (status === 'ready')
    return (
      <div class="state">
        <span class="state-icon">
          <Icon name="chaport" />
        </span>
        <button type="button" class="primary" onClick={ui.openChat}>
          {t.chatOpen}
        </button>
      </div>
    );
  return (
    <div role="status">
      <div class="spinner" aria-hidden="true" />
      <p>{t.chatLoading}</p>
    </div>
  );
}
