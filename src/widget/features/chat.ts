import type { ChaportChannel, WidgetConfig } from '../../contract/config.ts';
import type { Locale } from '../../contract/wire.ts';
import type { ApiClient } from '../api.ts';
import type { Chat } from '../chat/chat.ts';
import { conversationRemembered } from '../chat/conversation.ts';
import type { ChaportWindow } from '../chat/chaport.ts';
import type { Emitter } from '../emitter.ts';
import type { KeyValueStorage } from '../storage.ts';
import type { VisitorData, WidgetEvents } from '../types.ts';
import type { LoadChunk } from './chunks.ts';
import type { Stores } from './stores.ts';

export interface ChatFeature {
  readonly channel: ChaportChannel;
  /** Reads whether a conversation goes on (storage: after the launcher is drawn) and, if so, loads the adapter. */
  start(): void;
  /** Loads the adapter (its chunk, then Chaport) if need be, and opens Chaport's window. */
  open(): void;
  close(): void;
  identify(data: VisitorData, hash?: string): void;
  consentGranted(): void;
  stop(): void;
}

export interface ChatFeatureDeps {
  config: WidgetConfig;
  locale: Locale;
  theme: { color: string; position: 'left' | 'right' };
  win: ChaportWindow;
  storage(): KeyValueStorage | null;
  hasConsent(): boolean;
  stores: Pick<Stores, 'chat'>;
  api: Pick<ApiClient, 'lastReplyAt'>;
  events: Pick<Emitter<WidgetEvents>, 'emit'>;
  load: LoadChunk;
  report(error: unknown): void;
}

/**
 * The chat channel, with Chaport's adapter in a chunk of its own: loaded with the page only for a visitor whose
 * conversation goes on (so replies can arrive; see `start`), otherwise when the visitor picks the chat. Until then the `chat`
 * store says `idle`, which is all the launcher and the picker need.
 */
export function chatFeature(deps: ChatFeatureDeps): ChatFeature | undefined {
  const channel = deps.config.channels.find((item): item is ChaportChannel => item.type === 'chaport');
  if (!channel) return undefined;
  const $chat = deps.stores.chat;
  let chat: Chat | undefined;
  let loading: Promise<Chat | undefined> | undefined;
  let visitor: [VisitorData, string | undefined] | undefined;
  let stopped = false;

  const adapter = () =>
    (loading ??= deps.load('chat').then(
      ({ createChat }) => {
        if (stopped) return undefined;
        // A failed chunk load marked the chat failed; the adapter starts afresh.
        if ($chat.get().status === 'failed') $chat.set({ ...$chat.get(), status: 'idle' });
        chat = createChat({
          channel,
          locale: deps.locale,
          theme: deps.theme,
          reopenOnReply: deps.config.reopenOnReply,
          win: deps.win,
          storage: deps.storage,
          hasConsent: deps.hasConsent,
          onMessage: (reopened) => deps.events.emit('chat:message', { channel: channel.id, reopened }),
          onError: deps.report,
          lastReplyAt: deps.api.lastReplyAt,
          replyPollMs: deps.config.presence.pollSeconds * 1000,
          $state: $chat,
        });
        if (visitor) chat.identify({ ...visitor[0] }, visitor[1]);
        return chat;
      },
      (error: unknown) => {
        loading = undefined;
        // The panel offers the other channels, as when Chaport's own script fails.
        if (!stopped) $chat.set({ ...$chat.get(), status: 'failed' });
        deps.report(error);
        return undefined;
      },
    ));

  return {
    channel,
    start() {
      if (stopped || !conversationRemembered(deps.storage(), Date.now())) return;
      $chat.set({ ...$chat.get(), ongoing: true });
      void adapter();
    },
    open: () => void adapter().then((loaded) => loaded?.open()),
    close: () => chat?.close(),
    identify(data, hash) {
      visitor = [data, hash];
      chat?.identify({ ...data }, hash);
    },
    consentGranted: () => chat?.consentGranted(),
    stop() {
      stopped = true;
      chat?.destroy();
    },
  };
}
