// @vitest-environment happy-dom
// @vitest-environment-options { "settings": { "disableJavaScriptFileLoading": true, "handleDisabledFileLoadingAsSuccess": true } }
import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_TEXTS } from '../../contract/texts.ts';
import { widgetConfigSchema, type ChaportChannel } from '../../contract/config.ts';
import { memoryStorage } from '../storage.ts';
import type { ChaportWindow } from './chaport.ts';
import { createChat, type ChatDeps } from './chat.ts';

const channel = (extra: Record<string, unknown> = {}) =>
  v.parse(widgetConfigSchema, { id: 'w', allowedOrigins: [], texts: DEFAULT_TEXTS, channels: [{ id: 'chat', type: 'chaport', appId: 'ab'.repeat(12), ...extra }] })
    .channels[0] as ChaportChannel;

/** What insert.js does on load, played by hand: replaces the stub with an API, replays queue and listeners. */
function playChaport(win: ChaportWindow) {
  const stub = win.chaport as unknown as { _q: unknown[][]; _l: Record<string, ((...a: unknown[]) => void)[]> };
  let state = 'collapsed';
  const listeners = { ...stub._l };
  const emit = (event: string) => listeners[event]?.forEach((listener) => listener({ state }));
  const api = {
    open: vi.fn(() => ((state = 'expanded'), emit('widget.stateChange'))),
    close: vi.fn(() => ((state = 'collapsed'), emit('widget.stateChange'))),
    getWidgetState: () => state,
    setVisitorData: vi.fn(),
    on: (event: string, listener: () => void) => (listeners[event] ||= []).push(listener),
  };
  win.chaport = api;
  for (const [method, args] of stub._q) (api as Record<string, any>)[method as string](...(args as unknown[]));
  return {
    api,
    ready: () => emit('ready'),
    setState(next: string) {
      state = next;
      emit('widget.stateChange');
    },
    chatStarted: () => emit('chat.started'),
    unreadChange: (count: number) => listeners['chat.unreadChange']?.forEach((listener) => listener({ count })),
  };
}

function setup(overrides: Partial<ChatDeps> = {}, chaport = channel(), storage = memoryStorage()) {
  const messages: boolean[] = [];
  const errors: Error[] = [];
  const chat = createChat({
    channel: chaport,
    locale: 'ru',
    theme: { color: '#1f6feb', position: 'left' },
    reopenOnReply: true,
    win: window as unknown as ChaportWindow,
    storage: () => storage,
    hasConsent: () => true,
    onMessage: (reopened) => messages.push(reopened),
    onError: (error) => errors.push(error),
    ...overrides,
  });
  return { chat, storage, messages, errors, script: () => document.head.querySelector<HTMLScriptElement>('script[src*="insert.js"]') };
}

/** The visitor opened the chat and Chaport loaded and said `ready`. */
function openedChat(overrides: Partial<ChatDeps> = {}) {
  const setUp = setup(overrides);
  setUp.chat.open();
  const chaport = playChaport(window as ChaportWindow);
  chaport.ready();
  return { ...setUp, chaport };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  document.head.innerHTML = '';
  document.body.innerHTML = '';
  delete (window as ChaportWindow).chaport;
  delete (window as ChaportWindow).chaportConfig;
});

describe('the Chaport adapter', () => {
  it('loads nothing until asked', () => {
    const { script } = setup();
    expect(script()).toBeNull();
    expect((window as ChaportWindow).chaport).toBeUndefined();
  });

  it('embeds the documented way: chaportConfig, the _q/_l stub, one async insert.js', () => {
    const { chat, script } = setup();
    chat.identify({ name: 'Ann' });
    chat.open();
    chat.load();
    const win = window as ChaportWindow;
    expect(win.chaportConfig).toEqual({
      appId: 'ab'.repeat(12),
      launcher: { show: false },
      language: { use: 'ru' },
      appearance: { windowColor: '#1f6feb', position: ['left', 20, 20] },
    });
    const stub = win.chaport as unknown as Record<string, unknown>;
    expect(Object.keys(stub).sort()).toEqual(['_l', '_q', 'on', 'q']);
    // The site's data, plus our visitor id in a custom field: how the helpdesk links Chaport's visitor to this browser.
    expect(stub._q).toEqual([['setVisitorData', [{ name: 'Ann', custom: { omniwidget: expect.stringMatching(/^[\d-]{20,}$/) } }, undefined]]]);
    expect(Object.keys(stub._l as object).sort()).toEqual(['chat.started', 'chat.unreadChange', 'ready', 'widget.stateChange']);
    expect(document.head.querySelectorAll('script')).toHaveLength(1);
    expect(script()).toMatchObject({ async: true, src: 'https://app.chaport.com/javascripts/insert.js' });
    expect(chat.$state.get().status).toBe('loading');
  });

  it('uses the RU host, or the configured script URL', () => {
    const ru = setup({}, channel({ region: 'ru' })).chat;
    ru.load();
    expect(document.head.querySelector('script')?.src).toBe('https://app.chaport.ru/javascripts/insert.js');
    ru.destroy();
    expect(document.head.querySelector('script')).toBeNull();
    setup({}, channel({ region: 'ru', scriptUrl: 'https://chat.acme.example/insert.js' })).chat.load();
    expect(document.head.querySelector('script')?.src).toBe('https://chat.acme.example/insert.js');
  });

  it('reuses a Chaport the page already has instead of loading a second one', () => {
    const existing = { on: vi.fn(), open: vi.fn(), getWidgetState: () => 'collapsed' };
    (window as ChaportWindow).chaport = existing;
    const { chat, script } = setup();
    chat.open();
    expect(script()).toBeNull();
    expect(chat.$state.get().status).toBe('ready');
    expect(existing.open).toHaveBeenCalledOnce();
    chat.destroy();
    expect((window as ChaportWindow).chaport).toBe(existing); // not ours to remove
  });

  it('opens Chaport once it is ready, and tracks its window', () => {
    const { chat, chaport } = openedChat();
    expect(chaport.api.open).toHaveBeenCalledOnce();
    expect(chat.$state.get()).toMatchObject({ status: 'ready', expanded: true });
    chat.close();
    expect(chaport.api.close).toHaveBeenCalledOnce();
    expect(chat.$state.get().expanded).toBe(false);
  });

  it('re-opens on a reply after the visitor closed it, and reports the message', () => {
    const { chat, messages, chaport } = openedChat();
    chaport.setState('collapsed');
    chaport.setState('unreadMessage');
    expect(messages).toEqual([true]);
    expect(chat.$state.get()).toMatchObject({ expanded: true, unread: 0 });
  });

  it('with reopenOnReply off, counts unread replies instead, cleared when the chat opens', () => {
    const { chat, messages, chaport } = openedChat({ reopenOnReply: false });
    chaport.setState('collapsed');
    chaport.setState('semiExpanded');
    expect(messages).toEqual([false]);
    expect(chat.$state.get()).toMatchObject({ expanded: false, unread: 1 });
    chat.open();
    expect(chat.$state.get()).toMatchObject({ expanded: true, unread: 0 });
  });

  it('stops re-opening when the visitor closes it twice within seconds', () => {
    const { chat, messages, chaport } = openedChat();
    chaport.setState('collapsed');
    chaport.setState('unreadMessage'); // re-opened
    vi.advanceTimersByTime(3000);
    chaport.setState('collapsed'); // closed again at once
    chaport.setState('unreadMessage');
    expect(messages).toEqual([true, false]);
    expect(chat.$state.get()).toMatchObject({ expanded: false, unread: 1 });
  });

  it('remembers a started conversation, and loads Chaport by itself on the next page', () => {
    const first = setup();
    first.chat.open();
    playChaport(window as ChaportWindow).chatStarted();
    expect(first.chat.$state.get().ongoing).toBe(true);
    expect([...first.storage.data.keys()].sort()).toEqual(['chat', 'visitor']);
    first.chat.destroy();

    const { chat: next } = setup({}, channel(), first.storage);
    expect(next.$state.get()).toMatchObject({ ongoing: true, status: 'loading' });
    expect(document.head.querySelectorAll('script')).toHaveLength(1);
  });

  it('asks for consent instead of loading, and loads once it is given', () => {
    let consent = false;
    const { chat, script } = setup({ hasConsent: () => consent });
    chat.open();
    expect(chat.$state.get().status).toBe('consent');
    expect(script()).toBeNull();
    consent = true;
    chat.consentGranted();
    expect(script()).not.toBeNull();
    const chaport = playChaport(window as ChaportWindow);
    chaport.ready();
    expect(chaport.api.open).toHaveBeenCalledOnce();
  });

  it('fails clearly when the script errors, and may retry with a fresh script', () => {
    const { chat, errors, script } = setup();
    chat.open();
    const failed = script()!;
    failed.dispatchEvent(new Event('error'));
    expect(chat.$state.get().status).toBe('failed');
    expect(errors.map((error) => [error.name, error.message])).toEqual([['ChatError', "Chaport's script could not be loaded from https://app.chaport.com/javascripts/insert.js"]]);
    chat.open();
    expect(chat.$state.get().status).toBe('loading');
    // A fresh element (a failed one is never reused: the browser would not fetch it again), the failed one gone.
    expect(document.head.querySelectorAll('script')).toHaveLength(1);
    expect(script()).not.toBe(failed);
    expect(failed.isConnected).toBe(false);
    playChaport(window as ChaportWindow).ready();
    expect(chat.$state.get().status).toBe('ready');
  });

  it('fails when ready never comes, never injects twice, and recovers if it comes late', () => {
    const { chat, errors } = setup({}, channel({ loadTimeoutSeconds: 3 }));
    chat.open();
    vi.advanceTimersByTime(3000);
    expect(chat.$state.get().status).toBe('failed');
    expect(errors[0]?.message).toBe('Chaport did not become ready within 3 s (https://app.chaport.com/javascripts/insert.js)');
    chat.open();
    expect(document.head.querySelectorAll('script')).toHaveLength(1);
    playChaport(window as ChaportWindow).ready();
    expect(chat.$state.get().status).toBe('ready');
  });

  it('destroy() removes the script, Chaport\'s DOM and the globals it created, and ignores later events', () => {
    const { chat, messages } = setup();
    chat.open();
    const chaport = playChaport(window as ChaportWindow);
    const container = document.createElement('div');
    container.className = 'chaport-container';
    document.body.append(container);
    chaport.ready();
    chat.destroy();
    expect(document.querySelector('script, .chaport-container')).toBeNull();
    expect('chaport' in window || 'chaportConfig' in window).toBe(false);
    chaport.setState('unreadMessage');
    expect(messages).toEqual([]);
  });
});

describe('the reply signal', () => {
  it('keeps one visitor id per browser and sends it with the site\'s own data after ready', () => {
    const { chat, chaport, storage } = openedChat();
    const id = storage.get('visitor');
    expect(id).toMatch(/^[\d-]{20,}$/);
    chat.identify({ name: 'Ann', custom: { plan: 'pro' } }, 'hash');
    expect(chaport.api.setVisitorData).toHaveBeenLastCalledWith({ name: 'Ann', custom: { plan: 'pro', omniwidget: id } }, 'hash');
  });

  it('re-opens on chat.unreadChange alone, once per new reply, never on a falling count', () => {
    const { chat, messages, chaport } = openedChat();
    chaport.setState('collapsed');
    chaport.unreadChange(1);
    expect(messages).toEqual([true]);
    expect(chat.$state.get().expanded).toBe(true);
    chaport.unreadChange(0); // read
    expect(messages).toEqual([true]);
  });

  it('counts a reply told by both a state and chat.unreadChange once', () => {
    const { chat, messages, chaport } = openedChat({ reopenOnReply: false });
    chaport.setState('collapsed');
    chaport.setState('unreadMessage');
    chaport.unreadChange(1);
    expect(messages).toEqual([false]);
    chaport.unreadChange(2); // a second reply, at once
    expect(messages).toEqual([false, false]);
    expect(chat.$state.get().unread).toBe(2);
  });

  it('after re-opening by itself and being closed again, the next reply counts as new', () => {
    const { messages, chaport } = openedChat();
    chaport.setState('collapsed');
    chaport.setState('unreadMessage');
    chaport.unreadChange(1); // the same reply
    expect(messages).toEqual([true]); // re-opened, once
    chaport.setState('collapsed');
    chaport.setState('unreadMessage'); // closed at once: no re-open, but counted
    expect(messages).toEqual([true, false]);
  });

  /** A helpdesk whose `lastReplyAt` the test moves; every request recorded with its abort signal. */
  function helpdesk() {
    const asked: AbortSignal[] = [];
    let lastReplyAt: string | null = null;
    return {
      asked,
      reply: (at: string) => (lastReplyAt = at),
      deps: { lastReplyAt: (_id: string, signal: AbortSignal) => (asked.push(signal), Promise.resolve(lastReplyAt)), replyPollMs: 5000 },
    };
  }
  const settle = () => vi.advanceTimersByTimeAsync(0);

  it('with no signal from Chaport, re-opens when the helpdesk says an agent answered, within one poll interval', async () => {
    const server = helpdesk();
    const { chat, messages, chaport } = openedChat(server.deps);
    chaport.chatStarted();
    chaport.setState('collapsed'); // the visitor closed it
    await settle();
    expect(server.asked).toHaveLength(1); // the baseline
    await vi.advanceTimersByTimeAsync(5000);
    expect(messages).toEqual([]); // nothing new
    server.reply('2026-11-25T10:00:00.000Z');
    await vi.advanceTimersByTimeAsync(5000);
    expect(messages).toEqual([true]);
    expect(chat.$state.get().expanded).toBe(true);
    const asked = server.asked.length;
    await vi.advanceTimersByTimeAsync(20_000);
    expect(server.asked).toHaveLength(asked); // open: no polling
  });

  it('does not tell a reply twice when Chaport told it first', async () => {
    const server = helpdesk();
    const { messages, chaport } = openedChat({ ...server.deps, reopenOnReply: false });
    chaport.chatStarted();
    chaport.setState('collapsed');
    await settle();
    await vi.advanceTimersByTimeAsync(1000);
    server.reply('2026-11-25T10:00:00.000Z');
    chaport.setState('unreadMessage');
    await vi.advanceTimersByTimeAsync(5000);
    expect(messages).toEqual([false]);
    server.reply('2026-11-25T10:05:00.000Z'); // a second reply, told only by the helpdesk
    await vi.advanceTimersByTimeAsync(5000);
    expect(messages).toEqual([false, false]);
  });

  it('asks only while a conversation goes on, the chat is closed and the tab visible; never after destroy()', async () => {
    const server = helpdesk();
    const { chat, chaport } = openedChat(server.deps);
    chaport.setState('collapsed');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(server.asked).toHaveLength(0); // no conversation yet
    chaport.chatStarted();
    await settle();
    expect(server.asked).toHaveLength(1);
    const visibility = vi.spyOn(document, 'hidden', 'get').mockReturnValue(true);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(server.asked).toHaveLength(1);
    visibility.mockRestore();
    await vi.advanceTimersByTimeAsync(5000);
    expect(server.asked).toHaveLength(2);
    chat.destroy();
    expect(server.asked.every((signal) => signal.aborted)).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.asked).toHaveLength(2);
  });
});
