import type { Channel } from '../../contract/config.ts';
import { visibleChannels } from '../channels/visibility.ts';
import { parseConfig } from '../config/parse.ts';
import { ConfigError } from '../errors.ts';
import { createNavigation } from '../features/navigation.ts';
import { listenAll, snapshotOf } from '../features/stores.ts';
import { withLaterTexts } from '../i18n/later-texts.ts';
import type { PanelContext, PanelControl } from '../start.ts';
import type { View, WidgetUi } from '../ui/model.ts';
import panelCss from './panel.css';
import { renderUi } from './render.tsx';

/**
 * Builds the panel on the widget the first chunk started: checks the configuration with the full schema (unless it
 * was already), adopts the panel's stylesheet, and renders the panel from the record of stores. Undefined when the
 * configuration is refused: the widget has then been taken down and the error told.
 */
export function attachPanel(context: PanelContext): PanelControl | undefined {
  if (!context.validated) {
    let parsed: ReturnType<typeof parseConfig>;
    try {
      parsed = parseConfig(context.config, context.config.id, context.configUrl);
    } catch (error) {
      context.fail(error); // looked as served, yet a value is wrong: nothing more is shown
      return undefined;
    }
    for (const problem of parsed.dropped)
      context.report(new ConfigError('config_invalid', `Ignored a channel of widget "${context.config.id}" this SDK does not understand:\n${problem}`, context.configUrl, 200));
    context.config = parsed.config;
    context.validated = true;
  }
  const { stores, chat, email, win } = context;
  context.t = withLaterTexts(context.config.texts[context.locale], context.locale);
  context.mounted.addStyles(panelCss);

  const channels = () => visibleChannels(context.config.channels, stores.presence.get(), stores.chat.get().ongoing);
  const navigation = createNavigation({
    stores,
    channels,
    ...(chat ? { chat } : {}),
    email,
    // The picker and the "only one channel" rule need the chat's presence: an open before the first answer waits for it.
    ready: async () => (await context.presence.settled(), true),
    selected: (channel) => context.events.emit('channel:select', { channel: channel.id, type: channel.type }),
    navigate: (href, newTab) => (newTab ? win.open(href, '_blank', 'noopener') : (win.location.href = href)),
  });
  const later = (run: () => Promise<void>) => void run().catch(context.report);

  const ui: WidgetUi = {
    locale: context.locale,
    t: context.t,
    storageAvailable: context.storageAvailable,
    toggle: () => later(async () => navigation.toggle()),
    close: navigation.closeAll,
    back: navigation.back,
    select: (channel: Channel) => later(() => navigation.select(channel, false)),
    // The visitor asked for the chat and accepted Chaport's cookies in the panel: that is consent.
    acceptChat: context.grantConsent,
    openChat: () => chat?.open(),
    edit: email.edit,
    check: email.check,
    submit: email.submit,
    retry: email.retry,
    writeAnother: email.writeAnother,
  };

  const update = renderUi(context.mounted.shadow, context.slot, ui);
  const view = (): View => ({ ...snapshotOf(stores), channels: channels() });
  context.cleanups.push(
    listenAll(stores, () => update(view())),
    // Chaport's window replaces our panel: when it opens, the panel steps aside.
    stores.chat.listen((state) => state.expanded && navigation.chatExpanded()),
    () => update(null),
  );
  update(view());

  return {
    open: navigation.open,
    toggle: navigation.toggle,
    openChannel: (id) => navigation.select(context.config.channels.find((channel) => channel.id === id)!, true),
  };
}
