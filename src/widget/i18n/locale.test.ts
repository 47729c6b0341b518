import { describe, expect, it } from 'vitest';
import { localized, resolveLocale } from './locale.ts';

describe('resolveLocale', () => {
  it('prefers the option, then <html lang>, then the configuration, then the browser', () => {
    expect(resolveLocale('ru', 'en', 'en', ['en'])).toBe('ru');
    expect(resolveLocale(undefined, 'ru-RU', 'en', ['en'])).toBe('ru');
    expect(resolveLocale(undefined, 'de', 'ru', ['en'])).toBe('ru');
    expect(resolveLocale(undefined, '', undefined, ['de-DE', 'ru'])).toBe('ru');
    expect(resolveLocale(undefined, null, undefined, ['fr'])).toBe('en');
  });
});

describe('localized', () => {
  it('picks the language and falls back to the other one', () => {
    expect(localized('Help', 'ru')).toBe('Help');
    expect(localized({ en: 'Help', ru: 'Помощь' }, 'ru')).toBe('Помощь');
    expect(localized({ ru: 'Помощь' }, 'en')).toBe('Помощь');
    expect(localized(undefined, 'en')).toBeUndefined();
  });
});
