import type { Texts } from '../../contract/texts.ts';
import type { Locale } from '../../contract/wire.ts';

/**
 * Texts added to the contract after its first release (0.1), in this SDK's own words: a helpdesk older than the
 * SDK does not send them, and the widget must never show "undefined" (#11). The server's texts win wherever it
 * has them (a site owner's wording included). `later-texts.test.ts` keeps these equal to the contract's defaults.
 */
export const LATER_TEXTS: Record<Locale, Partial<Texts>> = {
  en: { chatOpen: 'Open the chat' },
  ru: { chatOpen: 'Открыть чат' },
};

/** The texts to show: the server's, over this SDK's own for keys a server may not know yet. */
export const withLaterTexts = (served: Texts, locale: Locale): Texts => ({ ...LATER_TEXTS[locale], ...served });
