import { LOCALES, type Locale } from '../../contract/wire.ts';
import type { LocalizedText } from '../../contract/config.ts';

const supported = (tag: string | null | undefined): Locale | undefined => {
  const primary = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return LOCALES.find((locale) => locale === primary);
};

/**
 * The widget's language: the `locale` option, then the page's `<html lang>` (the page knows what language it
 * is in), then the configuration's default, then the browser's preferences, then English.
 */
export function resolveLocale(option: Locale | undefined, htmlLang: string | null | undefined, configLocale: Locale | undefined, browser: readonly string[] = []): Locale {
  return option ?? supported(htmlLang) ?? configLocale ?? browser.map(supported).find(Boolean) ?? 'en';
}

/** A configured label in the visitor's language, falling back to the other language. */
export function localized(text: LocalizedText | undefined, locale: Locale): string | undefined {
  if (text === undefined || typeof text === 'string') return text;
  return text[locale] ?? text.en ?? text.ru;
}
