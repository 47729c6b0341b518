// @vitest-environment happy-dom
// @vitest-environment-options { "settings": { "disableJavaScriptFileLoading": true, "handleDisabledFileLoadingAsSuccess": true } }
import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_TEXTS, widgetConfigSchema, type ChaportChannel } from '../../contract/index.ts';
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
    expect(stub._q).toEqual([['setVisitorData', [{ name: 'Ann' }, undefined]]]);
    expect(Object.keys(stub._l as object).sort()).toEqual(['chat.started', 'ready', 'widget.stateChange']);
    expect(document.head.querySelectorAll('script')).toHaveLength(1);
    expect(script()).toMatchObject({ async: true, src: 'https://app.chaport.com/javascripts/insert.js' });
    expect(chat.$state.get().status).toBe('loading');
  });

  it('uses the RU host, or the configured script URL', () => {
    setup({}, channel({ region: 'ru' })).chat.load();
    expect(document.head.querySelector('script')?.src).toBe('https://app.chaport.ru/javascripts/insert.js');
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
    expect([...first.storage.data.keys()]).toEqual(['chat']);
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
    script()!.dispatchEvent(new Event('error'));
    expect(chat.$state.get().status).toBe('failed');
    expect(errors.map((error) => [error.name, error.message])).toEqual([['ChatError', "Chaport's script could not be loaded from https://app.chaport.com/javascripts/insert.js"]]);
    chat.open();
    expect(chat.$state.get().status).toBe('loading');
    expect(document.head.querySelectorAll('script')).toHaveLength(1);
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
