import type { WidgetConfig } from '../contract/config.ts';
import type { Texts } from '../contract/texts.ts';
import type { Locale } from '../contract/wire.ts';
import type { ApiClient } from './api.ts';
import { visibleChannels } from './channels/visibility.ts';
import type { Emitter } from './emitter.ts';
import { OmniwidgetError } from './errors.ts';
import { chatFeature, type ChatFeature } from './features/chat.ts';
import type { LoadChunk } from './features/chunks.ts';
import { emailFeature, type EmailFeature } from './features/email.ts';
import { presenceFeature, type PresenceFeature } from './features/presence.ts';
import { createStores, type Stores } from './features/stores.ts';
import { resolveLocale } from './i18n/locale.ts';
import type { ResolvedOptions } from './options.ts';
import { browserStorage, type KeyValueStorage } from './storage.ts';
import type { VisitorData, WidgetEvents } from './types.ts';
import { createLauncher } from './ui/launcher.ts';
import launcherCss from './ui/launcher.css';
import { mountHost, type Mounted } from './ui/mount.ts';
import { themeCss } from './ui/theme.ts';

/** The part of the widget that exists once its configuration is known. */
export interface Controller {
  open(): void;
  close(): void;
  toggle(): void;
  openChannel(id: string): void;
  identify(data: VisitorData, hash?: string): void;
  consentChanged(granted: boolean): void;
  /** The channels offered: a chat that hides while offline counts until presence says it is offline. */
  offeredChannelIds(): string[];
}

export interface StartDeps {
  /** The configuration as the helpdesk served it (`config/served.ts`), or as the full schema parsed it. */
  config: WidgetConfig;
  /** Whether `config` has been through the full schema already. */
  validated: boolean;
  configUrl: string;
  options: ResolvedOptions;
  api: ApiClient;
  events: Emitter<WidgetEvents>;
  load: LoadChunk;
  report(error: unknown): void;
  /** The widget cannot go on (its configuration failed the full schema): everything it made goes, the error is told. */
  fail(error: unknown): void;
  cleanups: (() => void)[];
  consent(): boolean;
  grantConsent(): void;
}

/** What the panel's chunk is given to build the panel on (see panel/attach.tsx). */
export interface PanelContext extends Pick<StartDeps, 'validated' | 'configUrl' | 'events' | 'report' | 'fail' | 'cleanups' | 'grantConsent'> {
  config: WidgetConfig;
  locale: Locale;
  t: Texts;
  stores: Stores;
  mounted: Mounted;
  /** Where preact renders the panel, beside the launcher. */
  slot: HTMLElement;
  chat: ChatFeature | undefined;
  email: EmailFeature;
  presence: PresenceFeature;
  storageAvailable(): boolean;
  win: Window & typeof globalThis;
}

/** What the panel's chunk gives back: the widget's navigation, once it can open. */
export interface PanelControl {
  open(): Promise<void>;
  toggle(): Promise<void> | void;
  openChannel(channelId: string): Promise<void>;
}

/**
 * Puts the widget on the page for a known configuration: the features, each a small controller with its own
 * cleanup, composed here over one record of stores (#11). Only the launcher is built now; the panel (with preact),
 * the e-mail form and the chat arrive in chunks when they are needed.
 */
export function startWidget({ config, validated, configUrl, options, api, events, load, report, fail, cleanups, consent, grantConsent }: StartDeps): Controller {
  const win = window;
  const locale = resolveLocale(options.locale, document.documentElement.lang, config.locale, navigator.languages);
  const theme = { color: config.theme.color, position: options.position ?? config.theme.position };

  let storage: KeyValueStorage | null | undefined;
  const rawStorage = () => (storage === undefined ? (storage = browserStorage(config.id)) : storage);
  const getStorage = () => (consent() ? rawStorage() : null);

  const stores = createStores({ chatOngoing: false });
  const mounted = mountHost(document, launcherCss + themeCss({ ...theme, textColor: config.theme.textColor, zIndex: options.zIndex }));
  mounted.host.setAttribute('data-widget-id', config.id);
  const root = document.createElement('div');
  root.lang = locale;
  const slot = document.createElement('div');
  slot.className = 'slot';
  root.append(slot);
  mounted.shadow.append(root);

  const presence = presenceFeature({ config, name: `${options.apiUrl} ${config.id}`, api, stores, events, win, report });
  const chat = chatFeature({ config, locale, theme, win, storage: getStorage, hasConsent: consent, stores, api, events, load, report });
  const email = emailFeature({
    stores,
    api,
    storage: getStorage,
    t: () => panelContext.t,
    page: () => (/^https?:/.test(location.href) ? location.href.slice(0, 2048) : undefined),
    focusField: (field) => mounted.shadow.getElementById(`ow-${field}`)?.focus(),
    onSent: (id) => events.emit('message:sent', { id }),
    onRejected: report,
    load,
    report,
    win,
  });
  cleanups.push(presence.stop, () => chat?.stop(), email.stop);

  const panelContext: PanelContext = {
    config,
    validated,
    configUrl,
    locale,
    t: config.texts[locale],
    stores,
    mounted,
    slot,
    chat,
    email,
    presence,
    storageAvailable: () => !!getStorage(),
    win,
    events,
    report,
    fail,
    cleanups,
    grantConsent,
  };
  let panel: Promise<PanelControl | undefined> | undefined;
  const withPanel = (run: (control: PanelControl) => unknown) => {
    panel ??= load('panel').then(
      ({ attachPanel }) => attachPanel(panelContext),
      (error: unknown) => {
        panel = undefined;
        report(error);
        return undefined;
      },
    );
    void panel.then((control) => control && run(control)).catch(report);
  };
  const prefetch = () => {
    withPanel(() => {});
    for (const channel of config.channels) {
      if (channel.type === 'chaport') load('chat').catch(() => {});
      if (channel.type === 'email' && channel.form) load('email').catch(() => {});
    }
  };

  const isOpen = () => stores.panel.get().open || stores.chat.get().expanded;
  const launcher = createLauncher(root, config.texts[locale], () => withPanel((control) => control.toggle()), prefetch);
  /** What is open, for `open` events: Chaport's window, the chat or e-mail screen, or the picker (no channel). */
  const shown = (): { channel?: string } => {
    const view = stores.panel.get();
    if (stores.chat.get().expanded || (view.open && view.screen === 'chat')) return chat ? { channel: chat.channel.id } : {};
    const form = view.open && view.screen === 'email' && panelContext.config.channels.find((channel) => channel.type === 'email' && channel.form);
    return form ? { channel: form.id } : {};
  };
  // The launcher follows the stores; `open`/`close` follow what the visitor sees: our panel or Chaport's window.
  let wasOpen = false;
  let lastShown: { channel?: string } = {};
  const onChange = () => {
    const { open: panelOpen } = stores.panel.get();
    const chatState = stores.chat.get();
    root.className = `ow${panelOpen ? ' open' : ''}`;
    launcher.update({
      shown: options.launcher && !chatState.expanded && visibleChannels(panelContext.config.channels, stores.presence.get(), chatState.ongoing).length > 0,
      open: isOpen(),
      panelOpen,
      unread: chatState.unread,
    });
    if (wasOpen === isOpen()) return;
    wasOpen = !wasOpen;
    if (wasOpen) events.emit('open', (lastShown = shown()));
    else events.emit('close', lastShown);
  };
  for (const store of [stores.panel, stores.chat, stores.presence]) cleanups.push(store.listen(onChange));
  onChange();
  // The launcher is drawn; storage, the presence poll and a waiting message or conversation come a task later, so
  // the first paint with the launcher waits for none of them (#11).
  const begin = setTimeout(() => {
    presence.start();
    chat?.start();
    email.start();
  });
  cleanups.push(() => clearTimeout(begin), () => mounted.unmount());

  return {
    open: () => withPanel((control) => control.open()),
    close() {
      if (stores.panel.get().open) stores.panel.set({ open: false, screen: 'picker' });
      chat?.close();
    },
    toggle: () => withPanel((control) => control.toggle()),
    openChannel(id) {
      if (!config.channels.some((item) => item.id === id))
        throw new OmniwidgetError('unknown_channel', `Widget "${config.id}" has no channel "${id}"; it has: ${config.channels.map((c) => c.id).join(', ')}`);
      withPanel((control) => control.openChannel(id));
    },
    identify(data, hash) {
      const draft = stores.draft.get();
      stores.draft.set({ ...draft, name: draft.name || data.name || '', email: draft.email || data.email || '' });
      chat?.identify(data, hash);
    },
    consentChanged(granted) {
      if (granted) {
        email.setStorage(getStorage());
        chat?.consentGranted();
        return;
      }
      // Withdrawn: what we stored goes; a message still waiting is kept in memory only.
      const raw = rawStorage();
      for (const key of raw?.keys('') ?? []) raw?.remove(key);
      email.setStorage(null);
    },
    offeredChannelIds: () => visibleChannels(config.channels, stores.presence.get(), stores.chat.get().ongoing, true).map((channel) => channel.id),
  };
}
