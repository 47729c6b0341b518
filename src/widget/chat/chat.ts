import { atom, type ReadableAtom, type WritableAtom } from 'nanostores';
import { WIDGET_VISITOR_FIELD, type Locale } from '../../contract/wire.ts';
import type { ChaportChannel } from '../../contract/config.ts';
import { ChatError } from '../errors.ts';
import type { KeyValueStorage } from '../storage.ts';
import { chaportConfig, chaportScriptUrl, injectChaport, type ChaportApi, type ChaportWidgetState, type ChaportWindow } from './chaport.ts';
import { randomId } from '../random-id.ts';
import { CONVERSATION_KEY, conversationRemembered } from './conversation.ts';
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
  /**
   * Asks the helpdesk when an agent last answered this visitor (ISO time or null): the reply signal we control, for
   * when Chaport's own signals (widget states, `chat.unreadChange`) do not come.
   */
  lastReplyAt?(visitorId: string, signal: AbortSignal): Promise<string | null>;
  /** How often to ask, while the chat is closed and a conversation goes on. */
  replyPollMs?: number;
  now?: () => number;
  /** The widget's chat store (its record of stores, `features/stores.ts`); a new one when absent (tests). */
  $state?: WritableAtom<ChatState>;
}

const VISITOR_KEY = 'visitor';

/**
 * Chaport as a channel: loads it lazily, drives it through its JS API, and re-opens it when an agent replies
 * to a visitor who closed it. Chaport has no `off`, so every listener checks `destroyed` instead.
 */
export function createChat(deps: ChatDeps): Chat {
  const { channel, win, now = Date.now } = deps;
  const scriptUrl = chaportScriptUrl(channel);
  const policy = createReopenPolicy({ enabled: deps.reopenOnReply, now });
  const $state = deps.$state ?? atom<ChatState>({ status: 'idle', expanded: false, unread: 0, ongoing: false });
  const patch = (change: Partial<ChatState>) => $state.set({ ...$state.get(), ...change });
  patch({ ongoing: conversationRemembered(deps.storage(), now()) });

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
  /** When Chaport last told of a reply, and how many replies it told of since the chat was last open. */
  let lastChaportSignal = -1;
  let ownVisitorId: string | undefined;
  let toldWhileClosed = 0;
  let replyBaseline: string | null | undefined;
  let baselineAt = 0;
  let replyTimer: ReturnType<typeof setTimeout> | undefined;
  const replyAbort = new AbortController();

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

  /** This browser's visitor id for the helpdesk: random (128 bits), kept with the conversation (per page without storage). */
  function visitorId(): string {
    if (!ownVisitorId) {
      const storage = deps.storage();
      ownVisitorId = storage?.get(VISITOR_KEY) || randomId();
      storage?.set(VISITOR_KEY, ownVisitorId);
    }
    return ownVisitorId;
  }

  function pushVisitor(): void {
    const chaport = api();
    if (!chaport) return;
    // Chaport's documented way to carry data of ours: a custom visitor field, beside the site's identify() data.
    const [data, hash]: [Record<string, unknown>, string?] = visitor ?? [{}];
    const args: [Record<string, unknown>, string?] = [{ ...data, custom: { ...(data.custom as object), [WIDGET_VISITOR_FIELD]: visitorId() } }, hash];
    // Before `ready`, through the stub's documented queue; after, directly.
    if ($state.get().status === 'ready') chaport.setVisitorData?.(...args);
    else chaport.q?.('setVisitorData', args);
  }

  /** Chaport said a reply came while the chat was closed (by a state or by `chat.unreadChange`). */
  function chaportSignal(count: number): void {
    lastChaportSignal = now();
    // A state change and `chat.unreadChange` may both tell of one reply: count replies, not signals.
    if ($state.get().expanded || count <= toldWhileClosed) return;
    const replies = count - toldWhileClosed;
    toldWhileClosed = count;
    replyArrived(replies);
  }

  /** An agent's reply arrived while the chat was closed. */
  function replyArrived(replies = 1): void {
    const chaport = api();
    if (destroyed || !chaport || $state.get().expanded) return;
    rememberConversation();
    const reopen = policy.shouldReopen();
    if (reopen) chaport.open?.();
    else patch({ unread: $state.get().unread + replies });
    deps.onMessage(reopen);
  }

  /** While a conversation goes on and the chat is closed, ask the helpdesk (visible tabs only) whether an agent wrote. */
  function pollReplies(): void {
    clearTimeout(replyTimer);
    const { status, expanded, ongoing } = $state.get();
    if (destroyed || !deps.lastReplyAt || status !== 'ready' || !ongoing) return;
    if (expanded) {
      replyBaseline = undefined; // seen: the next closed spell starts from what is there then
      return;
    }
    const next = () => {
      if (!destroyed) replyTimer = setTimeout(pollReplies, deps.replyPollMs ?? 30_000);
    };
    if (win.document.hidden) return next();
    const askedAt = now();
    deps
      .lastReplyAt(visitorId(), replyAbort.signal)
      .then((at) => {
        // A newer reply, unless Chaport already told of it since the last answer.
        if (replyBaseline !== undefined && at !== null && at !== replyBaseline && lastChaportSignal < baselineAt) {
          toldWhileClosed++;
          replyArrived();
        }
        replyBaseline = at;
        baselineAt = askedAt;
      }, () => {})
      .then(next);
  }

  function onReady(): void {
    if (destroyed || $state.get().status === 'ready') return;
    clearTimeout(readyTimer);
    patch({ status: 'ready' });
    onStateChange();
    pollReplies();
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
      toldWhileClosed = 0;
      patch({ expanded: true, unread: 0 });
      pollReplies();
      return;
    }
    patch({ expanded: false });
    if (state === 'collapsed') {
      if (previous === 'expanded') {
        policy.chatClosed();
        pollReplies();
      }
      return;
    }
    // unreadMessage or semiExpanded (unverified values: see shared/chaport-protocol.md): a reply while closed.
    chaportSignal(1);
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
    chaport.on('chat.started', () => {
      if (destroyed) return;
      rememberConversation();
      pollReplies();
    });
    // Chaport's mobile bridge reports unread replies this way; its web widget may too.
    chaport.on('chat.unreadChange', (payload) => chaportSignal(Number((payload as { count?: unknown } | undefined)?.count) || 0));
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
      clearTimeout(replyTimer);
      replyAbort.abort();
      if (!createdGlobals) return; // the site's own Chaport: not ours to remove
      script?.remove();
      for (const node of win.document.querySelectorAll('.chaport-container')) node.remove();
      delete win.chaport;
      delete win.chaportConfig;
    },
  };
}
