import type { FunctionComponent } from 'preact';
import type { Channel } from '../../contract/config.ts';
import type { Texts } from '../../contract/texts.ts';
import type { Locale } from '../../contract/wire.ts';
import type { Snapshot } from '../features/stores.ts';

export type Screen = 'picker' | 'email' | 'chat';

export interface PanelState {
  open: boolean;
  screen: Screen;
}

export type FormField = 'name' | 'email' | 'message';

/** What the visitor typed into the e-mail form: kept while the panel is closed and reopened. */
export type Draft = Record<FormField, string>;
export type FieldErrors = Partial<Record<FormField, string>>;

/** A part of the UI that arrives in its own chunk: a pure function of the view, like the rest. */
export type Part = FunctionComponent<{ view: View; ui: WidgetUi }>;
export interface UiParts {
  Panel?: Part;
  EmailForm?: Part;
}

/**
 * One snapshot of everything on screen: every store of the record (`features/stores.ts`), and the channels to
 * offer now — configured order, minus a chat hidden while its operators are offline. The UI is a pure function of
 * it: components have no state of their own and no hooks; the widget re-renders from the snapshot on any change.
 */
export type View = Snapshot & { channels: Channel[] };

/** What the UI may read and do; the widget's features build it (`start.ts`). */
export interface WidgetUi {
  locale: Locale;
  t: Texts;
  /** Whether a message waiting for the network survives a reload (storage allowed and available). */
  storageAvailable(): boolean;
  toggle(): void;
  close(): void;
  back(): void;
  select(channel: Channel): void;
  acceptChat(): void;
  /** Chaport is ready but its window did not open: ask it again. */
  openChat(): void;
  edit(field: FormField, value: string): void;
  /** Validates one field when the visitor leaves it. */
  check(field: FormField): void;
  submit(): void;
  retry(): void;
  writeAnother(): void;
}
