/**
 * The sandbox's insert.js: a stand-in for Chaport's `https://app.chaport.com/javascripts/insert.js` that speaks
 * the same embed protocol and JS API (shared/chaport-protocol.md):
 * - reads `window.chaportConfig` (`appId` of 24 hex characters, `launcher.show`, `language.use`, `appearance`);
 * - replays the official stub's queue (`chaport._q`, items `[method, args]`) and listeners (`chaport._l`);
 * - replaces `window.chaport` with the real API: `on`, `q`, `open`, `close`, `toggle`, `getWidgetState`,
 *   `setVisitorData`, `openIn`, `startSession`, `stopSession`;
 * - fires `ready`, `widget.stateChange` and `chat.started`;
 * - shows the chat in an iframe from the sandbox's origin, as Chaport does.
 * Window state: collapsed | expanded | semiExpanded | unreadMessage. An operator reply while collapsed makes it
 * `unreadMessage` (with Chaport's launcher hidden) or `semiExpanded` (a preview next to its launcher).
 */

type State = 'collapsed' | 'expanded' | 'semiExpanded' | 'unreadMessage';
type Listener = (...args: unknown[]) => void;
type Stub = { _q?: ArrayLike<unknown>[]; _l?: Record<string, Listener[]> };
type FromWindow =
  | { type: 'ready'; unread: number }
  | { type: 'collapse' }
  | { type: 'operator-message'; text: string; operatorName: string }
  | { type: 'chat-started' };

(() => {
  const w = window as unknown as { chaport?: Stub & Record<string, unknown>; chaportConfig?: Record<string, any> };
  const script = document.currentScript as HTMLScriptElement | null;
  const base = new URL(script?.src ?? location.href).origin;
  const config = w.chaportConfig ?? {};
  const appId = String(config.appId ?? '');
  if (!/^[a-f\d]{24}$/i.test(appId)) {
    console.error('[chaport sandbox] window.chaportConfig.appId must be 24 hexadecimal characters; the chat is not loaded');
    return;
  }
  const stub = w.chaport ?? {};
  const listeners: Record<string, Listener[]> = {};
  for (const [event, fns] of Object.entries(stub._l ?? {})) listeners[event] = [...fns];
  const showLauncher = config.launcher?.show !== false;
  const language = String(config.language?.use ?? navigator.language ?? 'en').slice(0, 2);
  const color = String(config.appearance?.windowColor ?? '#2f8fff');
  const position = Array.isArray(config.appearance?.position) ? config.appearance.position : ['right', 20, 20];
  const side = position[0] === 'left' ? 'left' : 'right';

  const storageKey = (name: string) => `chaport-sandbox:${appId}:${name}`;
  const store = {
    get: (name: string) => {
      try {
        return localStorage.getItem(storageKey(name));
      } catch {
        return null;
      }
    },
    set: (name: string, value: string) => {
      try {
        localStorage.setItem(storageKey(name), value);
      } catch {
        /* storage blocked: the chat still works for this page */
      }
    },
  };
  let visitorId = store.get('visitor');
  if (!visitorId) store.set('visitor', (visitorId = crypto.getRandomValues(new Uint32Array(3)).join('')));

  const emit = (event: string, ...args: unknown[]) => {
    for (const listener of listeners[event] ?? []) {
      try {
        listener(...args);
      } catch (error) {
        console.error(`[chaport sandbox] a "${event}" listener threw`, error);
      }
    }
  };

  // The DOM Chaport is known to create: .chaport-container, .chaport-window, the chat in an iframe.
  // Styles through CSSOM only, so the sandbox runs under a strict CSP like the SDK.
  const container = document.createElement('div');
  container.className = 'chaport-container';
  Object.assign(container.style, { position: 'fixed', bottom: `${position[2] ?? 20}px`, [side]: `${position[1] ?? 20}px`, zIndex: '2147483600' });
  const frameWindow = document.createElement('div');
  frameWindow.className = 'chaport-window';
  Object.assign(frameWindow.style, {
    width: 'min(380px, calc(100vw - 24px))',
    height: 'min(560px, calc(100vh - 40px))',
    borderRadius: '12px',
    overflow: 'hidden',
    boxShadow: '0 12px 48px rgba(0,0,0,.25)',
    background: '#fff',
    display: 'none',
  });
  const iframe = document.createElement('iframe');
  iframe.title = 'Chat';
  const params = new URLSearchParams({ appid: appId, visitor: visitorId, origin: location.origin, lang: language, color, page: location.href });
  iframe.src = `${base}/widget/show.html?${params}`;
  Object.assign(iframe.style, { width: '100%', height: '100%', border: '0' });
  frameWindow.append(iframe);
  const launcher = document.createElement('button');
  launcher.type = 'button';
  launcher.className = 'chaport-launcher';
  launcher.setAttribute('aria-label', 'Open chat');
  launcher.textContent = '💬';
  Object.assign(launcher.style, { width: '56px', height: '56px', borderRadius: '50%', border: '0', background: color, color: '#fff', fontSize: '24px', cursor: 'pointer', display: showLauncher ? 'block' : 'none', marginLeft: 'auto' });
  const preview = document.createElement('div');
  preview.className = 'chaport-preview';
  Object.assign(preview.style, { display: 'none', maxWidth: '260px', margin: '0 0 8px auto', padding: '10px 12px', borderRadius: '10px', background: '#fff', boxShadow: '0 4px 16px rgba(0,0,0,.2)', font: '14px system-ui', color: '#222', cursor: 'pointer' });
  container.append(frameWindow, preview, launcher);

  let state: State = 'collapsed';
  let ready = false;
  const send = (message: Record<string, unknown>) => iframe.contentWindow?.postMessage(message, base);

  function setState(next: State, persist = true): void {
    if (next === state) return;
    state = next;
    frameWindow.style.display = state === 'expanded' ? 'block' : 'none';
    launcher.style.display = showLauncher && state !== 'expanded' ? 'block' : 'none';
    if (state !== 'semiExpanded') preview.style.display = 'none';
    // An open window survives navigation, as Chaport's does.
    if (persist) store.set('open', state === 'expanded' ? '1' : '');
    if (state === 'expanded') {
      send({ type: 'read' });
      if (unread) emit('chat.unreadChange', { count: (unread = 0) });
    }
    emit('widget.stateChange', { state });
  }

  /**
   * How an operator's reply shows while the window is closed. `states` (default): the state turns `semiExpanded` or
   * `unreadMessage` — values no source confirms for real Chaport. `unreadChange`: only `chat.unreadChange` (what
   * Chaport's own mobile bridge sends). `none`: nothing at all — the widget must learn of the reply elsewhere (the
   * helpdesk). Chosen with `insert.js?signals=…`, so tests can take away every unverified signal.
   */
  const signals = new URL(script?.src ?? location.href).searchParams.get('signals') ?? 'states';
  let unread = 0;

  function messageArrived(text: string, operatorName: string): void {
    if (state === 'expanded') return;
    if (signals === 'none') return;
    if (signals === 'unreadChange') {
      unread++;
      emit('chat.unreadChange', { count: unread, lastMessageText: text, lastMessageAuthor: { name: operatorName, isBot: false }, lastMessageAt: Math.floor(Date.now() / 1000) });
      return;
    }
    if (showLauncher) {
      preview.textContent = `${operatorName}: ${text}`;
      preview.style.display = 'block';
      setState('semiExpanded');
    } else setState('unreadMessage');
  }

  window.addEventListener('message', (event: MessageEvent<FromWindow>) => {
    // Only our own chat window may drive us.
    if (event.origin !== base || event.source !== iframe.contentWindow) return;
    const message = event.data;
    if (message?.type === 'ready') {
      if (ready) return;
      ready = true;
      if (store.get('open')) setState('expanded', false);
      else if (message.unread > 0) setState(showLauncher ? 'semiExpanded' : 'unreadMessage');
      send({ type: 'visitor-data', data: visitorData });
      emit('ready');
    } else if (message?.type === 'collapse') setState('collapsed');
    else if (message?.type === 'operator-message') messageArrived(message.text, message.operatorName);
    else if (message?.type === 'chat-started') emit('chat.started');
  });
  launcher.addEventListener('click', () => api.toggle());
  preview.addEventListener('click', () => api.open());

  let visitorData: Record<string, unknown> = {};
  const api = {
    on(event: string, listener: Listener) {
      (listeners[event] ||= []).push(listener);
    },
    q(method: string, args: unknown[] = []) {
      const fn = (api as unknown as Record<string, unknown>)[method];
      if (typeof fn === 'function') fn(...args);
      else console.error(`[chaport sandbox] unknown method "${method}"`);
    },
    open() {
      setState('expanded');
    },
    close() {
      setState('collapsed');
    },
    toggle() {
      setState(state === 'expanded' ? 'collapsed' : 'expanded');
    },
    getWidgetState: (): State => state,
    setVisitorData(data: Record<string, unknown>, hash?: string) {
      visitorData = { ...visitorData, ...data, ...(hash ? { hash } : {}) };
      if (ready) send({ type: 'visitor-data', data: visitorData });
    },
    openIn(options: { selector?: string }) {
      const target = options?.selector ? document.querySelector(options.selector) : null;
      if (target) {
        target.append(frameWindow);
        frameWindow.style.display = 'block';
      }
    },
    startSession() {
      /* visitor sessions signed by the site's server: accepted and ignored by the sandbox */
    },
    stopSession() {
      /* see startSession */
    },
  };
  w.chaport = api as unknown as Stub & Record<string, unknown>;
  // Replay what the page queued on the stub, in order.
  for (const call of Array.from(stub._q ?? [])) {
    const [method, args] = Array.from(call) as [string, unknown[]];
    api.q(method, args);
  }
  (document.body ?? document.documentElement).append(container);
})();

export {};
