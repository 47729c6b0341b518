import type { ChaportChannel } from '../../contract/config.ts';
import type { Locale } from '../../contract/wire.ts';

/** The part of Chaport's JS API (`window.chaport`) the SDK uses; see shared/chaport-protocol.md. */
export interface ChaportApi {
  on(event: string, listener: (...args: unknown[]) => void): void;
  q?(method: string, args: unknown[]): void;
  open?(): void;
  close?(): void;
  getWidgetState?(): string;
  setVisitorData?(data: Record<string, unknown>, hash?: string): void;
}

export type ChaportWindow = Window & { chaport?: ChaportApi; chaportConfig?: Record<string, unknown> };

/** Chaport's widget states, from `getWidgetState()`. */
export type ChaportWidgetState = 'collapsed' | 'expanded' | 'semiExpanded' | 'unreadMessage';

export function chaportScriptUrl(channel: ChaportChannel): string {
  return channel.scriptUrl ?? `https://app.chaport.${channel.region === 'ru' ? 'ru' : 'com'}/javascripts/insert.js`;
}

export interface InjectResult {
  /** The script element this call inserted, or null when Chaport was already on the page. */
  script: HTMLScriptElement | null;
  api: ChaportApi;
}

/**
 * Embeds Chaport the documented way: `window.chaportConfig`, then — only if `window.chaport` does not exist —
 * the official `_q`/`_l` stub and an async `insert.js`. Never a bare `window.chaport = {}` (that makes the
 * snippet skip loading), and never a second script: an existing `window.chaport` (the site's own embed, or an
 * earlier widget) is reused as it is.
 */
export function injectChaport(win: ChaportWindow, scriptUrl: string, config: Record<string, unknown>, onScriptError: () => void): InjectResult {
  if (win.chaport) return { script: null, api: win.chaport };
  win.chaportConfig = config;
  const queue: unknown[] = [];
  const listeners: Record<string, unknown[]> = {};
  const stub = {
    _q: queue,
    _l: listeners,
    q(...args: unknown[]) {
      queue.push(args);
    },
    on(event: string, listener: unknown) {
      (listeners[event] ||= []).push(listener);
    },
  };
  win.chaport = stub;
  const script = win.document.createElement('script');
  script.async = true;
  script.src = scriptUrl;
  script.onerror = onScriptError;
  win.document.head.appendChild(script);
  return { script, api: stub };
}

/** chaportConfig for our use: Chaport's own launcher hidden (ours opens it), language and colours from the widget. */
export function chaportConfig(channel: ChaportChannel, locale: Locale, theme: { color: string; position: 'left' | 'right' }): Record<string, unknown> {
  return {
    appId: channel.appId,
    launcher: { show: false },
    language: { use: locale },
    appearance: { windowColor: theme.color, position: [theme.position, 20, 20] },
  };
}
