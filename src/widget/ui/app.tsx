import { fill } from '../../contract/texts.ts';
import { Icon } from '../channels/icons.tsx';
import type { View, WidgetUi } from './model.ts';
import { Panel } from './panel.tsx';

export function App({ view, ui }: { view: View; ui: WidgetUi }) {
  const { panel, chat } = view;
  const hideLauncher = !ui.launcher || chat.expanded || view.channels.length === 0;
  const label = chat.unread ? `${ui.t.launcher}. ${fill(ui.t.unread, { count: chat.unread })}` : ui.t.launcher;
  return (
    <div class={`ow${panel.open ? ' open' : ''}`} lang={ui.locale}>
      {panel.open && <Panel view={view} ui={ui} />}
      {!hideLauncher && (
        <button
          type="button"
          class="launcher"
          aria-label={label}
          aria-expanded={panel.open || chat.expanded}
          aria-haspopup="dialog"
          aria-controls={panel.open ? 'ow-panel' : undefined}
          onClick={ui.toggle}
        >
          <Icon name={panel.open ? 'close' : 'chaport'} />
          {chat.unread > 0 && (
            <span class="badge" aria-hidden="true">
              {chat.unread}
            </span>
          )}
        </button>
      )}
    </div>
  );
}
