import type { ChannelType } from '../contract/config.ts';
import type { OmniwidgetError } from './errors.ts';

/** What the site knows about the visitor; passed to Chaport (`setVisitorData`) and used to prefill the e-mail form. */
export interface VisitorData {
  name?: string;
  email?: string;
  phone?: string;
  /** Free text for the agents (Chaport's visitor notes). */
  notes?: string;
  /** Custom fields, e.g. `{ plan: 'pro' }`. */
  custom?: Record<string, string | number | boolean>;
}

/** Events and their payloads. Any number of listeners each; `on` returns the unsubscribe function. */
export interface WidgetEvents {
  /** The configuration is loaded and the widget is on the page. A listener added later is called at once. */
  ready: { widgetId: string; channels: string[] };
  /** The panel or the chat window opened. */
  open: { channel?: string };
  /** The panel and the chat window are both closed. */
  close: { channel?: string };
  /** The visitor picked a channel (or `openChannel` was called). */
  'channel:select': { channel: string; type: ChannelType };
  /** An agent's reply arrived while the chat was closed; `reopened` tells whether the chat opened itself. */
  'chat:message': { channel: string; reopened: boolean };
  /** Chat availability changed: `online` is true, false, or null when unknown. */
  presence: { channel: string; online: boolean | null };
  /** An e-mail form message was stored by the helpdesk. */
  'message:sent': { id: string };
  /** Consent changed, through `setConsent` or the visitor accepting the chat in the panel. */
  consent: { granted: boolean };
  /** Something failed. The SDK never throws into the page; this is where its errors go. */
  error: OmniwidgetError;
}

export type WidgetEventName = keyof WidgetEvents;

/** The widget instance returned by `createWidget` (and wrapped by the script tag's `window.omniwidget`). */
export interface Widget {
  /** Opens the panel (or, with the chat as the only channel, the chat). */
  open(): void;
  /** Closes the panel and the chat window. */
  close(): void;
  toggle(): void;
  /** Opens one channel by its configured id, e.g. `'chat'` or `'mail'`. */
  openChannel(channelId: string): void;
  /** Tells the widget who the visitor is. `hash`: Chaport's visitor-data integrity hash, computed on your server. */
  identify(visitor: VisitorData, hash?: string): void;
  /** Grants or withdraws consent to storage and third-party scripts (see the `consent` option). */
  setConsent(granted: boolean): void;
  on<E extends WidgetEventName>(event: E, listener: (payload: WidgetEvents[E]) => void): () => void;
  /** Removes every node, listener, timer and request the widget made. The instance is inert afterwards. */
  destroy(): void;
}
