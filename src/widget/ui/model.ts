import type { Channel, WidgetConfig } from '../../contract/config.ts';
import type { Locale } from '../../contract/wire.ts';
import type { Texts } from '../../contract/texts.ts';
import type { ChatState } from '../chat/chat.ts';
import type { Delivery } from '../outbox/outbox.ts';

export type Screen = 'picker' | 'email' | 'chat';

export interface PanelState {
  open: boolean;
  screen: Screen;
}

export type FormField = 'name' | 'email' | 'message';

/** What the visitor typed into the e-mail form: kept while the panel is closed and reopened. */
export type Draft = Record<FormField, string>;
export type FieldErrors = Partial<Record<FormField, string>>;

/**
 * One snapshot of everything on screen. The UI is a pure function of it: components have no state of their
 * own and no hooks; the widget re-renders from the snapshot on any store change (and stays kilobytes smaller).
 */
export interface View {
  panel: PanelState;
  chat: ChatState;
  /** Channels to offer now: configured order, minus a chat hidden while its operators are offline. */
  channels: Channel[];
  deliveries: Delivery[];
  /** Key of the last message the visitor submitted on this page (its status is shown). */
  lastDelivery: string | undefined;
  draft: Draft;
  errors: FieldErrors;
}

/** What the UI may read once and do; the widget controller builds it. */
export interface WidgetUi {
  config: WidgetConfig;
  locale: Locale;
  t: Texts;
  launcher: boolean;
  /** Whether a message waiting for the network survives a reload (storage allowed and available). */
  storageAvailable(): boolean;
  toggle(): void;
  close(): void;
  back(): void;
  select(channel: Channel): void;
  acceptChat(): void;
  edit(field: FormField, value: string): void;
  /** Validates one field when the visitor leaves it. */
  check(field: FormField): void;
  submit(): void;
  retry(): void;
  writeAnother(): void;
}
