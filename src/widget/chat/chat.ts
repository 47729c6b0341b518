import { atom, type ReadableAtom } from 'nanostores';
import type { ChaportChannel, Locale } from '../../contract/index.ts';
import { ChatError } from '../errors.ts';
import type { KeyValueStorage } from '../storage.ts';
import { chaportConfig, chaportScriptUrl, injectChaport, type ChaportApi, type ChaportWidgetState, type ChaportWindow } from './chaport.ts';
import { createReopenPolicy } from './reopen-policy.ts';

export type ChatStatus = 'idle' | 'consent' | 'loading' | 'ready' | 'failed';

export interface ChatState {
  status: ChatStatus;
  /** Chaport's window is open (our panel and launcher step aside). */
  expanded: boolean;
  /** Replies that arrived while the chat was closed and did not re-open it. */
  unread: number;
  /** The visitor has a conversation (remembered across pages): keep the chat reachable and loaded. */
  ongoing: boolean;
}

export interface Chat {
  readonly $state: ReadableAtom<ChatState>;
  readonly channel: ChaportChannel;
  /** The visitor (or the site's code) asked for the chat: load Chaport if needed, then open its window. */
  open(): void;
  close(): void;
  /** Load Chaport without opening it (a returning visitor with a conversation, so replies can arrive). */
  load(): void;
  identify(data: Record<string, unknown>, hash?: string): void;
  consentGranted(): void;
  destroy(): void;
}

export interface ChatDeps {
  channel: ChaportChannel;
  locale: Locale;
  theme: { color: string; position: 'left' | 'right' };
  reopenOnReply: boolean;
  win: ChaportWindow;
  storage: () => KeyValueStorage | null;
  hasConsent: () => boolean;
  onMessage(reopened: boolean): void;
  onError(error: ChatError): void;
  now?: () => number;
}

const CONVERSATION_KEY = 'chat';
/** How long a conversation keeps Chaport loading on every page after its last activity. */
const CONVERSATION_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * Chaport as a channel: loads it lazily, drives it through its JS API, and re-opens it when an agent replies
 * to a visitor who closed it. Chaport has no `off`, so every listener checks `destroyed` instead.
 */
export function createChat(deps: ChatDeps): Chat {
  const { channel, win, now = Date.now } = deps;
  const scriptUrl = chaportScriptUrl(channel);
  const policy = createReopenPolicy({ enabled: deps.reopenOnReply, now });
  const $state = atom<ChatState>({ status: 'idle', expanded: false, unread: 0, ongoing: conversationRemembered() });
  const patch = (change: Partial<ChatState>) => $state.set({ ...$state.get(), ...change });

  // Always the current `window.chaport`: insert.js may replace the stub object with its own.
  const api = (): ChaportApi | undefined => (loading ? win.chaport : undefined);
  let loading = false;
  let script: HTMLScriptElement | null = null;
  let createdGlobals = false;
  let openWhenReady = false;
  let lastState: ChaportWidgetState | undefined;
  let readyTimer: ReturnType<typeof setTimeout> | undefined;
  let destroyed = false;
  let scriptFailed = false;
  let visitor: [Record<string, unknown>, string | undefined] | undefined;

  function conversationRemembered(): boolean {
    try {
      const saved = JSON.parse(deps.storage()?.get(CONVERSATION_KEY) ?? 'null') as { at?: number } | null;
      return !!saved?.at && now() - saved.at < CONVERSATION_TTL_MS;
    } catch {
      return false;
    }
  }

  function rememberConversation(): void {
    deps.storage()?.set(CONVERSATION_KEY, JSON.stringify({ at: now() }));
    patch({ ongoing: true });
  }

  function fail(message: string): void {
    clearTimeout(readyTimer);
    openWhenReady = false;
    patch({ status: 'failed' });
    deps.onError(new ChatError(message, scriptUrl));
  }

  function pushVisitor(): void {
    const chaport = api();
    if (!visitor || !chaport) return;
    // Before `ready`, through the stub's documented queue; after, directly.
    if ($state.get().status === 'ready') chaport.setVisitorData?.(...visitor);
    else chaport.q?.('setVisitorData', visitor);
  }

  function onReady(): void {
    if (destroyed || $state.get().status === 'ready') return;
    clearTimeout(readyTimer);
    patch({ status: 'ready' });
    onStateChange();
    if (openWhenReady) {
      openWhenReady = false;
      api()?.open?.();
    }
  }

  function onStateChange(eventState?: unknown): void {
    const chaport = api();
    if (destroyed || !chaport) return;
    // The event's payload is undocumented: ask Chaport for the state, and fall back to the payload.
    const state = (chaport.getWidgetState?.() ?? eventState) as ChaportWidgetState | undefined;
    if (!state || state === lastState) return;
    const previous = lastState;
    lastState = state;
    if (state === 'expanded') {
      patch({ expanded: true, unread: 0 });
      return;
    }
    patch({ expanded: false });
    if (state === 'collapsed') {
      if (previous === 'expanded') policy.chatClosed();
      return;
    }
    // unreadMessage or semiExpanded: an agent's reply arrived while the window was closed.
    rememberConversation();
    const reopen = policy.shouldReopen();
    if (reopen) chaport.open?.();
    else patch({ unread: $state.get().unread + 1 });
    deps.onMessage(reopen);
  }

  function load(): void {
    const { status } = $state.get();
    if (destroyed || status === 'loading' || status === 'ready') return;
    if (!deps.hasConsent()) {
      patch({ status: 'consent' });
      return;
    }
    if (status === 'failed') {
      // Timed out: the script may still be running and say `ready` late; never inject a second one.
      if (!scriptFailed) return;
      // A retry after a script error: the failed element and the stub go, a fresh attempt comes in.
      script?.remove();
      script = null;
      scriptFailed = false;
      delete win.chaport;
    }
    patch({ status: 'loading' });
    const injected = injectChaport(win, scriptUrl, chaportConfig(channel, deps.locale, deps.theme), () => {
      if (destroyed) return;
      scriptFailed = true;
      fail(`Chaport's script could not be loaded from ${scriptUrl}`);
    });
    const chaport = injected.api;
    loading = true;
    script = injected.script;
    createdGlobals ||= !!script;
    chaport.on('ready', onReady);
    chaport.on('widget.stateChange', onStateChange);
    chaport.on('chat.started', () => !destroyed && rememberConversation());
    // Chaport already running on the page (the real API, not a stub): it will not say `ready` again.
    if (!script && chaport.getWidgetState) onReady();
    else readyTimer = setTimeout(() => fail(`Chaport did not become ready within ${channel.loadTimeoutSeconds} s (${scriptUrl})`), channel.loadTimeoutSeconds * 1000);
    pushVisitor();
  }

  if ($state.get().ongoing) load();

  return {
    $state,
    channel,
    open() {
      if (destroyed) return;
      policy.visitorOpened();
      if ($state.get().status === 'ready') api()?.open?.();
      else {
        openWhenReady = true;
        load();
      }
    },
    close() {
      openWhenReady = false;
      if ($state.get().status === 'ready' && $state.get().expanded) api()?.close?.();
    },
    load,
    identify(data, hash) {
      visitor = [data, hash];
      pushVisitor();
    },
    consentGranted() {
      if ($state.get().status !== 'consent') return;
      patch({ status: 'idle' });
      load();
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      clearTimeout(readyTimer);
      if (!createdGlobals) return; // the site's own Chaport: not ours to remove
      script?.remove();
      for (const node of win.document.querySelectorAll('.chaport-container')) node.remove();
      delete win.chaport;
      delete win.chaportConfig;
    },
  };
}
