import { atom, type ReadableAtom } from 'nanostores';
import type { Channel, WidgetConfig } from '../contract/config.ts';
import { createApiClient, type ApiClient } from './api.ts';
import { channelHref, opensNewTab } from './channels/links.ts';
import { visibleChannels, type PresenceMap } from './channels/visibility.ts';
import { createChat, type ChatState } from './chat/chat.ts';
import { createEmitter, type Emitter } from './emitter.ts';
import { ConfigError, OmniwidgetError } from './errors.ts';
import { resolveLocale } from './i18n/locale.ts';
import { resolveOptions, type ResolvedOptions, type WidgetOptions } from './options.ts';
import { createOutbox } from './outbox/outbox.ts';
import { createPresencePoller } from './presence/poller.ts';
import { randomId } from './random-id.ts';
import { browserStorage, type KeyValueStorage } from './storage.ts';
import type { VisitorData, Widget, WidgetEvents } from './types.ts';
import { requestOf, validateDraft } from './ui/form.ts';
import type { Draft, FieldErrors, PanelState, Screen, View, WidgetUi } from './ui/model.ts';
import { mountHost } from './ui/mount.ts';
import { renderUi } from './ui/render.tsx';
import { widgetCss } from './ui/styles.ts';

/** The part of the widget that exists once its configuration is known. */
interface Controller {
  open(): void;
  close(): void;
  toggle(): void;
  openChannel(id: string): void;
  identify(data: VisitorData, hash?: string): void;
  consentChanged(granted: boolean): void;
  visibleChannelIds(): string[];
}

/**
 * Creates the widget: fetches its configuration, then puts the launcher on the page. Never throws: a bad option,
 * a failed or invalid configuration, or a non-browser environment leave the page untouched and are reported
 * to `error` listeners (registered right after this call, they still receive it).
 *
 * @example
 * const widget = createWidget({ widgetId: 'acme', apiUrl: 'https://help.acme.com' });
 * widget.on('chat:message', () => console.log('an agent replied'));
 */
export function createWidget(options: WidgetOptions): Widget {
  const events = createEmitter<WidgetEvents>((error, event) => console.error(`[omniwidget] a "${String(event)}" listener threw:`, error));
  const cleanups: (() => void)[] = [];
  const intents: ((c: Controller) => void)[] = [];
  const abort = new AbortController();
  let destroyed = false;
  let ready: WidgetEvents['ready'] | undefined;
  let controller: Controller | undefined;
  let visitor: [VisitorData, string | undefined] | undefined;
  let consent = options?.consent ?? true;

  const report = (error: unknown): void => {
    if (destroyed) return;
    const reported = error instanceof OmniwidgetError ? error : new OmniwidgetError('unexpected', `Unexpected failure: ${(error as Error)?.message ?? error}`, { cause: error });
    if (events.has('error')) events.emit('error', reported);
    else console.warn(`[omniwidget] ${reported.message}`);
  };

  /** Every public method goes through here: nothing thrown inside reaches the caller. */
  const guard =
    <A extends unknown[]>(run: (...args: A) => void) =>
    (...args: A): void => {
      if (destroyed) return;
      try {
        run(...args);
      } catch (error) {
        report(error);
      }
    };

  /** Calls made before the configuration arrives wait, in order, and replay once the widget is on the page. */
  const whenStarted = <A extends unknown[]>(run: (c: Controller, ...args: A) => void) =>
    guard((...args: A) => (controller ? run(controller, ...args) : intents.push((c) => run(c, ...args))));

  const widget: Widget = {
    open: whenStarted((c) => c.open()),
    close: whenStarted((c) => c.close()),
    toggle: whenStarted((c) => c.toggle()),
    openChannel: whenStarted((c, channelId: string) => c.openChannel(String(channelId))),
    identify: guard((data: VisitorData, hash?: string) => {
      if (!data || typeof data !== 'object') throw new OmniwidgetError('invalid_options', 'identify() expects an object such as { name, email }');
      visitor = [cleanVisitor(data), typeof hash === 'string' ? hash : undefined];
      controller?.identify(...visitor);
    }),
    setConsent: guard((granted: boolean) => {
      if (consent === !!granted) return;
      consent = !!granted;
      controller?.consentChanged(consent);
      events.emit('consent', { granted: consent });
    }),
    on(event, listener) {
      if (destroyed || typeof listener !== 'function') return () => {};
      // `ready` is a state as much as an event: a listener added after it is told at once.
      if (event === 'ready' && ready) queueMicrotask(() => !destroyed && (listener as (p: NonNullable<typeof ready>) => void)(ready!));
      return events.on(event, listener);
    },
    destroy: guard(() => {
      abort.abort();
      for (const cleanup of cleanups.splice(0).reverse()) guard(cleanup)();
      controller = undefined;
      destroyed = true;
      events.clear();
    }),
  };

  if (typeof window === 'undefined' || typeof document === 'undefined') {
    queueMicrotask(() => report(new OmniwidgetError('unsupported_environment', 'createWidget() needs a browser: call it on the client, not during server-side rendering')));
    return widget;
  }

  let resolved: ResolvedOptions;
  try {
    resolved = resolveOptions(options, () => location.origin);
  } catch (error) {
    queueMicrotask(() => report(error));
    return widget;
  }

  void (async () => {
    const api = createApiClient({ apiUrl: resolved.apiUrl, widgetId: resolved.widgetId, timeout: resolved.timeout, signal: abort.signal });
    let loaded: Awaited<ReturnType<ApiClient['config']>>;
    try {
      loaded = await api.config();
      if (!document.body) await new Promise((resolve) => document.addEventListener('DOMContentLoaded', resolve, { once: true }));
    } catch (error) {
      if (!abort.signal.aborted) report(error);
      return;
    }
    if (destroyed) return;
    for (const problem of loaded.dropped) report(new ConfigError('config_invalid', `Ignored a channel of widget "${resolved.widgetId}" this SDK does not understand:\n${problem}`, '', 200));
    try {
      controller = start(loaded.config, resolved, { api, events, report, cleanups, consent: () => consent, grantConsent: () => widget.setConsent(true) });
    } catch (error) {
      for (const cleanup of cleanups.splice(0).reverse()) guard(cleanup)();
      report(error);
      return;
    }
    if (visitor) controller.identify(...visitor);
    ready = { widgetId: loaded.config.id, channels: controller.visibleChannelIds() };
    events.emit('ready', ready);
    for (const intent of intents.splice(0)) guard(intent)(controller);
  })();

  return widget;
}

function cleanVisitor(data: VisitorData): VisitorData {
  const clean: VisitorData = {};
  for (const key of ['name', 'email', 'phone', 'notes'] as const) {
    const value = data[key];
    if (typeof value === 'string' && value.trim()) clean[key] = value.trim().slice(0, 500);
  }
  const custom = Object.entries(data.custom ?? {}).filter(([, value]) => ['string', 'number', 'boolean'].includes(typeof value));
  if (custom.length) clean.custom = Object.fromEntries(custom);
  return clean;
}

interface StartDeps {
  api: ApiClient;
  events: Emitter<WidgetEvents>;
  report(error: unknown): void;
  cleanups: (() => void)[];
  consent(): boolean;
  grantConsent(): void;
}

/** Builds stores, channels and UI for a known configuration. Each part registers its own cleanup. */
function start(config: WidgetConfig, options: ResolvedOptions, { api, events, report, cleanups, consent, grantConsent }: StartDeps): Controller {
  const win = window;
  const locale = resolveLocale(options.locale, document.documentElement.lang, config.locale, navigator.languages);
  const t = config.texts[locale];
  const theme = { color: config.theme.color, position: options.position ?? config.theme.position };

  let storage: KeyValueStorage | null | undefined;
  const rawStorage = () => (storage === undefined ? (storage = browserStorage(config.id)) : storage);
  const getStorage = () => (consent() ? rawStorage() : null);

  const $panel = atom<PanelState>({ open: false, screen: 'picker' });
  const $draft = atom<Draft>({ name: '', email: '', message: '' });
  const $errors = atom<FieldErrors>({});
  const $lastDelivery = atom<string | undefined>(undefined);

  const outbox = createOutbox({
    storage: getStorage(),
    send: api.sendMessage,
    newKey: randomId,
    onSent(delivery) {
      if (delivery.key === $lastDelivery.get()) $draft.set({ ...$draft.get(), message: '' });
      events.emit('message:sent', { id: delivery.id });
    },
    onRejected: report,
  });
  const retry = () => outbox.retryNow();
  win.addEventListener('online', retry);
  cleanups.push(() => outbox.stop(), () => win.removeEventListener('online', retry));

  const chatChannel = config.channels.find((channel) => channel.type === 'chaport');
  const chat =
    chatChannel &&
    createChat({
      channel: chatChannel,
      locale,
      theme,
      reopenOnReply: config.reopenOnReply,
      win,
      storage: getStorage,
      hasConsent: consent,
      onMessage: (reopened) => events.emit('chat:message', { channel: chatChannel.id, reopened }),
      onError: report,
      lastReplyAt: api.lastReplyAt,
      replyPollMs: config.presence.pollSeconds * 1000,
    });
  if (chat) cleanups.push(() => chat.destroy());
  const $chat: ReadableAtom<ChatState> = chat?.$state ?? atom({ status: 'idle', expanded: false, unread: 0, ongoing: false });

  // Presence is polled only for chats that hide while offline: `display: "always"` costs no request.
  const watched = config.channels.filter((channel) => channel.type === 'chaport' && channel.display === 'hideWhenOffline').map((channel) => channel.id);
  let $presence: ReadableAtom<PresenceMap> = atom({});
  if (watched.length) {
    const poller = createPresencePoller({ name: `${options.apiUrl} ${config.id}`, channelIds: watched, intervalMs: config.presence.pollSeconds * 1000, fetchPresence: api.presence, win });
    cleanups.push(() => poller.stop());
    $presence = poller.$presence;
    let last: PresenceMap = {};
    cleanups.push(
      $presence.listen((presence) => {
        for (const id of watched) if (presence[id] !== undefined && presence[id] !== last[id]) events.emit('presence', { channel: id, online: presence[id] ?? null });
        last = presence;
      }),
    );
  }

  // Derived on demand rather than with `computed`: cheaper than the stores they would add.
  const channels = () => visibleChannels(config.channels, $presence.get(), $chat.get().ongoing);
  const isOpen = () => $panel.get().open || $chat.get().expanded;
  // Chaport's window replaces our panel: when it opens, the panel steps aside.
  cleanups.push($chat.listen((state) => state.expanded && $panel.get().open && closePanel()));

  const openPanel = (screen: Screen) => $panel.set({ open: true, screen });
  const closePanel = () => $panel.set({ open: false, screen: 'picker' });
  const closeAll = () => {
    closePanel();
    chat?.close();
  };

  function select(channel: Channel, navigate: boolean): void {
    events.emit('channel:select', { channel: channel.id, type: channel.type });
    if (channel.type === 'chaport') {
      if (chat?.$state.get().status === 'ready') closePanel();
      else openPanel('chat');
      chat?.open();
    } else if (channel.type === 'email' && channel.form) openPanel('email');
    else if (navigate) {
      // From the picker, the link navigates by itself; openChannel() follows it for the site's own buttons.
      const href = channelHref(channel)!;
      if (opensNewTab(href)) win.open(href, '_blank', 'noopener');
      else win.location.href = href;
    }
  }

  /** A single chat or e-mail form skips the picker ("pure Chaport" mode). */
  const open = () => {
    const list = channels();
    const only = list.length === 1 ? list[0]! : undefined;
    if (only && (only.type === 'chaport' || (only.type === 'email' && only.form))) select(only, true);
    else openPanel('picker');
  };

  const ui: WidgetUi = {
    config,
    locale,
    t,
    launcher: options.launcher,
    storageAvailable: () => !!getStorage(),
    toggle: () => {
      if (isOpen()) closeAll();
      else if (chat && $chat.get().unread) select(chat.channel, true);
      else open();
    },
    close: closeAll,
    back: () => openPanel('picker'),
    select: (channel) => select(channel, false),
    // The visitor asked for the chat and accepted Chaport's cookies in the panel: that is consent.
    acceptChat: grantConsent,
    edit: (field, value) => {
      $draft.set({ ...$draft.get(), [field]: value });
      if ($errors.get()[field]) ui.check(field);
    },
    // Inline validation when the visitor leaves a field, never while they type.
    check: (field) => $errors.set({ ...$errors.get(), [field]: validateDraft($draft.get(), t)[field] }),
    submit: () => {
      const draft = $draft.get();
      const errors = validateDraft(draft, t);
      $errors.set(errors);
      const invalid = (['name', 'email', 'message'] as const).find((field) => errors[field]);
      if (invalid) return mounted.shadow.getElementById(`ow-${invalid}`)?.focus();
      $lastDelivery.set(outbox.submit(requestOf(draft, /^https?:/.test(location.href) ? location.href.slice(0, 2048) : undefined)));
    },
    retry,
    writeAnother: () => $lastDelivery.set(undefined),
  };

  const view = (): View => ({
    panel: $panel.get(),
    chat: $chat.get(),
    channels: channels(),
    deliveries: outbox.$deliveries.get(),
    lastDelivery: $lastDelivery.get(),
    draft: $draft.get(),
    errors: $errors.get(),
  });
  const mounted = mountHost(document, widgetCss({ ...theme, textColor: config.theme.textColor, zIndex: options.zIndex }));
  mounted.host.setAttribute('data-widget-id', config.id);
  const update = renderUi(mounted.shadow, ui);
  // One re-render per change of any source; `open`/`close` follow what the visitor sees: our panel or Chaport's window.
  let wasOpen = false;
  const onChange = () => {
    update(view());
    if (wasOpen === isOpen()) return;
    wasOpen = !wasOpen;
    events.emit(wasOpen ? 'open' : 'close', $chat.get().expanded && chatChannel ? { channel: chatChannel.id } : {});
  };
  for (const $source of [$panel, $chat, $presence, outbox.$deliveries, $lastDelivery, $draft, $errors] as ReadableAtom<unknown>[]) cleanups.push($source.listen(onChange));
  onChange();
  cleanups.push(() => {
    update(null);
    mounted.unmount();
  });

  return {
    open,
    close: closeAll,
    toggle: ui.toggle,
    openChannel(id) {
      const channel = config.channels.find((item) => item.id === id);
      if (!channel) throw new OmniwidgetError('unknown_channel', `Widget "${config.id}" has no channel "${id}"; it has: ${config.channels.map((c) => c.id).join(', ')}`);
      select(channel, true);
    },
    identify(data, hash) {
      const draft = $draft.get();
      $draft.set({ ...draft, name: draft.name || data.name || '', email: draft.email || data.email || '' });
      chat?.identify({ ...data }, hash);
    },
    consentChanged(granted) {
      if (granted) {
        outbox.setStorage(getStorage());
        chat?.consentGranted();
        return;
      }
      // Withdrawn: what we stored goes; a message still waiting is kept in memory only.
      const raw = rawStorage();
      for (const key of raw?.keys('') ?? []) raw?.remove(key);
      outbox.setStorage(null);
    },
    visibleChannelIds: () => channels().map((channel) => channel.id),
  };
}
