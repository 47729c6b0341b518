import { ChannelList } from './channel-list.tsx';
import type { View, WidgetUi } from './model.ts';

/** What the panel shows while the chat is not open: asking consent, connecting, or unavailable. */
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
          {t.chatFailed}
        </p>
        <ChannelList channels={view.channels.filter((channel) => channel.type !== 'chaport')} ui={ui} />
      </div>
    );
  return (
    <div role="status">
      <div class="spinner" aria-hidden="true" />
      <p>{t.chatLoading}</p>
    </div>
  );
}
