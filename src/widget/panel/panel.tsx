import { Icon } from './icons.tsx';
import type { View, WidgetUi } from '../ui/model.ts';
import { ChannelList } from './channel-list.tsx';
import { ChatScreen } from './chat-screen.tsx';

/** The dialog: a header (title, back, close) and one screen. Escape closes it from anywhere inside. */
export function Panel({ view, ui }: { view: View; ui: WidgetUi }) {
  const { screen } = view.panel;
  const title = screen === 'email' ? ui.t.formTitle : ui.t.title;
  const EmailForm = view.parts.EmailForm;
  return (
    <div
      id="ow-panel"
      class="panel"
      role="dialog"
      aria-labelledby="ow-title"
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          ui.close();
        }
      }}
    >
      <div class="head">
        {screen !== 'picker' && view.channels.length > 1 && (
          <button type="button" class="icon" aria-label={ui.t.back} onClick={ui.back}>
            <Icon name="back" />
          </button>
        )}
        <h2 id="ow-title">{title}</h2>
        <button type="button" class="icon" aria-label={ui.t.close} onClick={ui.close}>
          <Icon name="close" />
        </button>
      </div>
      <div class="body">
        {screen === 'email' && EmailForm ? (
          <EmailForm view={view} ui={ui} />
        ) : screen === 'chat' ? (
          <ChatScreen view={view} ui={ui} />
        ) : (
          <ChannelList channels={view.channels} ui={ui} />
        )}
      </div>
    </div>
  );
}
