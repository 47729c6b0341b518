import { describe, expect, it } from 'vitest';
import { OptionsError } from './errors.ts';
import { resolveOptions } from './options.ts';

const resolve = (options: unknown) => resolveOptions(options, () => 'https://site.example');
const errorOf = (options: unknown) => {
  try {
    resolve(options);
  } catch (error) {
    expect(error).toBeInstanceOf(OptionsError);
    return (error as Error).message;
  }
  return '';
};

describe('resolveOptions', () => {
  it('fills in defaults and trims the API URL', () => {
    expect(resolve({ widgetId: 'acme', apiUrl: 'https://help.acme.com/' })).toEqual({
      widgetId: 'acme',
      apiUrl: 'https://help.acme.com',
      launcher: true,
      zIndex: 2147483000,
      consent: true,
      timeout: 10_000,
    });
    expect(resolve({ widgetId: 'acme' }).apiUrl).toBe('https://site.example');
  });

  it('names the bad option', () => {
    expect(errorOf({})).toBe('Invalid option "widgetId": is required');
    expect(errorOf({ widgetId: 'a b' })).toMatch(/^Invalid option "widgetId": must be 1–64 letters/);
    expect(errorOf({ widgetId: 'acme', apiUrl: 'ftp://x' })).toBe('Invalid option "apiUrl": must be an http(s) URL');
    expect(errorOf({ widgetId: 'acme', locale: 'de' })).toBe('Invalid option "locale": must be "en" or "ru"');
    expect(errorOf({ widgetId: 'acme', zIndex: 1.5 })).toBe('Invalid option "zIndex": must be an integer');
    expect(errorOf({ widgetId: 'acme', launcher: 'no' })).toBe('Invalid option "launcher": must be true or false');
    expect(errorOf({ widgetId: 'acme', timeout: 5 })).toMatch(/^Invalid option "timeout"/);
  });
});
