import { describe, expect, it } from 'vitest';
import type { Channel } from '../../contract/config.ts';
import { createNavigation, type NavigationDeps } from './navigation.ts';
import { createStores } from './stores.ts';

const chat = { id: 'chat', type: 'chaport', appId: 'a'.repeat(24), display: 'hideWhenOffline', region: 'com', loadTimeoutSeconds: 15 } as Channel;
const form = { id: 'mail', type: 'email', form: true } as Channel;
const telegram = { id: 'tg', type: 'telegram', username: 'acme_support' } as Channel;
const phone = { id: 'call', type: 'phone', phone: '+74950001122' } as Channel;

function setup(channels: Channel[], extra: Partial<NavigationDeps> = {}) {
  const stores = createStores({ chatOngoing: false });
  const calls: string[] = [];
  let offered = channels;
  const deps: NavigationDeps = {
    stores,
    channels: () => offered,
    chat: { open: () => calls.push('chat.open'), close: () => calls.push('chat.close') },
    email: { ensure: async () => (calls.push('email.ensure'), true) },
    ready: async () => true,
    selected: (channel) => calls.push(`selected ${channel.id}`),
    navigate: (href, newTab) => calls.push(`navigate ${href}${newTab ? ' (new tab)' : ''}`),
    ...extra,
  };
  return { navigation: createNavigation(deps), stores, calls, offer: (next: Channel[]) => (offered = next) };
}

describe('navigation', () => {
  it('open() shows the picker for several channels; a lone chat or e-mail form opens at once', async () => {
    const several = setup([chat, telegram]);
    await several.navigation.open();
    expect(several.stores.panel.get()).toEqual({ open: true, screen: 'picker' });

    const pureChat = setup([chat]);
    await pureChat.navigation.open();
    expect(pureChat.stores.panel.get()).toEqual({ open: true, screen: 'chat' });
    expect(pureChat.calls).toEqual(['selected chat', 'chat.open']);

    const pureForm = setup([form]);
    await pureForm.navigation.open();
    expect(pureForm.stores.panel.get()).toEqual({ open: true, screen: 'email' });
  });

  it('an open() before the chat\'s presence is known waits for it: a chat and a form make a picker, not the form (#11)', async () => {
    let known!: () => void;
    const presence = new Promise<void>((resolve) => (known = resolve));
    const { navigation, stores, offer } = setup([form], { ready: () => presence.then(() => true) });
    const opening = navigation.open();
    expect(stores.panel.get().open).toBe(false);
    offer([chat, form]); // the first answer: operators online
    known();
    await opening;
    expect(stores.panel.get()).toEqual({ open: true, screen: 'picker' });
  });

  it('nothing opens when the panel cannot (its code did not load)', async () => {
    const { navigation, stores, calls } = setup([chat, telegram], { ready: async () => false });
    await navigation.open();
    await navigation.select(chat, false);
    expect(stores.panel.get().open).toBe(false);
    expect(calls).toEqual([]);
  });

  it('the chat: the chat screen until Chaport is ready, then straight to Chaport\'s window', async () => {
    const { navigation, stores, calls } = setup([chat, telegram]);
    await navigation.select(chat, false);
    expect(stores.panel.get()).toEqual({ open: true, screen: 'chat' });
    stores.chat.set({ ...stores.chat.get(), status: 'ready' });
    await navigation.select(chat, false);
    expect(stores.panel.get().open).toBe(false);
    expect(calls.filter((call) => call === 'chat.open')).toHaveLength(2);
  });

  it('the e-mail form opens once its code is there, and not if it cannot load', async () => {
    const ok = setup([form, telegram]);
    await ok.navigation.select(form, false);
    expect(ok.stores.panel.get()).toEqual({ open: true, screen: 'email' });
    const failing = setup([form, telegram], { email: { ensure: async () => false } });
    await failing.navigation.select(form, false);
    expect(failing.stores.panel.get().open).toBe(false);
  });

  it('links: followed for openChannel() (web links in a new tab), left to the link itself from the picker', async () => {
    const { navigation, calls } = setup([telegram, phone]);
    await navigation.select(telegram, false);
    await navigation.select(telegram, true);
    await navigation.select(phone, true);
    expect(calls).toEqual(['selected tg', 'selected tg', 'navigate https://t.me/acme_support (new tab)', 'selected call', 'navigate tel:+74950001122']);
  });

  it('toggle() closes what is open, opens the chat when a reply is unread, else opens', async () => {
    const { navigation, stores, calls } = setup([chat, telegram]);
    await navigation.toggle();
    expect(stores.panel.get()).toEqual({ open: true, screen: 'picker' });
    await navigation.toggle();
    expect(stores.panel.get().open).toBe(false);
    expect(calls).toContain('chat.close');
    stores.chat.set({ ...stores.chat.get(), unread: 2 });
    await navigation.toggle();
    expect(stores.panel.get()).toEqual({ open: true, screen: 'chat' });
    expect(calls.at(-1)).toBe('chat.open');
  });

  it('Chaport\'s window opening sends our panel away; back() returns to the picker', async () => {
    const { navigation, stores } = setup([chat, form]);
    await navigation.select(form, false);
    navigation.back();
    expect(stores.panel.get()).toEqual({ open: true, screen: 'picker' });
    navigation.chatExpanded();
    expect(stores.panel.get().open).toBe(false);
  });
});
