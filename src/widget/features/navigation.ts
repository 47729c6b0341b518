import type { Channel } from '../../contract/config.ts';
import { channelHref, opensNewTab } from '../channels/links.ts';
import type { Screen } from '../ui/model.ts';
import type { Stores } from './stores.ts';

export interface NavigationDeps {
  stores: Pick<Stores, 'panel' | 'chat'>;
  /** The channels offered now. */
  channels(): Channel[];
  chat?: { open(): void; close(): void };
  email: { ensure(): Promise<boolean> };
  /**
   * Resolves true once the panel can open: its chunk loaded, the configuration validated by the full schema, and
   * the chat's presence known (so the picker and the "only one channel" rule see the chat as it is). False: the
   * widget could not go on (the failure is already reported).
   */
  ready(): Promise<boolean>;
  selected(channel: Channel): void;
  navigate(href: string, newTab: boolean): void;
}

export type Navigation = ReturnType<typeof createNavigation>;

/**
 * Where the visitor is: the panel closed, the picker, the e-mail form, the chat screen, or Chaport's own window; and
 * how a channel is reached — in the panel, in Chaport's window, or by following its link.
 */
export function createNavigation({ stores, channels, chat, email, ready, selected, navigate }: NavigationDeps) {
  const { panel: $panel, chat: $chat } = stores;
  const openPanel = (screen: Screen) => $panel.set({ open: true, screen });
  const closePanel = () => $panel.get().open && $panel.set({ open: false, screen: 'picker' });
  const closeAll = () => {
    closePanel();
    chat?.close();
  };
  const isOpen = () => $panel.get().open || $chat.get().expanded;

  async function select(channel: Channel, follow: boolean): Promise<void> {
    if (!(await ready())) return;
    selected(channel);
    if (channel.type === 'chaport') {
      if ($chat.get().status === 'ready') closePanel();
      else openPanel('chat');
      chat?.open();
    } else if (channel.type === 'email' && channel.form) {
      if (await email.ensure()) openPanel('email');
    } else if (follow) {
      // From the picker, the link navigates by itself; openChannel() follows it for the site's own buttons.
      const href = channelHref(channel)!;
      navigate(href, opensNewTab(href));
    }
  }

  /** A single chat or e-mail form skips the picker ("pure Chaport" mode). */
  async function open(): Promise<void> {
    if (!(await ready())) return;
    const list = channels();
    const only = list.length === 1 ? list[0]! : undefined;
    if (only && (only.type === 'chaport' || (only.type === 'email' && only.form))) await select(only, true);
    else openPanel('picker');
  }

  return {
    isOpen,
    open,
    select,
    closeAll,
    back: () => openPanel('picker'),
    toggle(): Promise<void> | void {
      if (isOpen()) return closeAll();
      if (chat && $chat.get().unread) {
        const channel = channels().find((item) => item.type === 'chaport');
        if (channel) return select(channel, true);
      }
      return open();
    },
    /** Chaport's window opened: our panel steps aside. */
    chatExpanded: () => closePanel(),
  };
}
