import { LOCALES, WIDGET_ID_PATTERN, type Locale } from '../contract/wire.ts';
import { OptionsError } from './errors.ts';

/** Options of `createWidget`. The script tag maps its `data-*` attributes onto the same options. */
export interface WidgetOptions {
  /**
   * The widget's id in the helpdesk.
   * @example 'acme'
   */
  widgetId: string;
  /**
   * Base URL of the helpdesk API. The script tag defaults it to the script's own origin (`data-api-url` overrides).
   * @default location.origin
   * @example 'https://help.acme.com'
   */
  apiUrl?: string;
  /**
   * Language of the widget's texts.
   * @default the page's `<html lang>`, then the configuration's `locale`, then the browser's languages, then `'en'`
   */
  locale?: Locale;
  /**
   * Show the default launcher button. With `false` the site opens the widget from its own button (`widget.open()`).
   * @default true
   */
  launcher?: boolean;
  /**
   * z-index of the launcher and panel.
   * @default 2147483000
   */
  zIndex?: number;
  /**
   * Corner of the page for the launcher and panel.
   * @default the configuration's `theme.position`, else `'right'`
   */
  position?: 'left' | 'right';
  /**
   * Whether the visitor consented to third-party scripts and storage. With `false` nothing is stored in the
   * browser and Chaport's script is not loaded until `widget.setConsent(true)` (or the visitor asks for the
   * chat and accepts in the panel).
   * @default true
   */
  consent?: boolean;
  /**
   * Timeout of each request to the helpdesk API, in milliseconds.
   * @default 10000
   */
  timeout?: number;
}

export interface ResolvedOptions {
  widgetId: string;
  apiUrl: string;
  locale?: Locale;
  launcher: boolean;
  zIndex: number;
  position?: 'left' | 'right';
  consent: boolean;
  timeout: number;
}

type Check = (value: unknown) => string | undefined;
const oneOf =
  (values: readonly unknown[], message: string): Check =>
  (value) => (values.includes(value) ? undefined : message);
const flag = oneOf([true, false], 'must be true or false');

/**
 * Each option's check, in the order they are reported. Plain checks rather than the contract's schema library:
 * options are the SDK's own (not wire format), and this runs before the launcher, where every kilobyte counts (#11).
 */
const checks: Record<Exclude<keyof WidgetOptions, 'widgetId'>, Check> = {
  apiUrl: (value) => (typeof value === 'string' && /^https?:\/\/[^/\s]/i.test(value) ? undefined : 'must be an http(s) URL'),
  locale: oneOf(LOCALES, 'must be "en" or "ru"'),
  launcher: flag,
  zIndex: (value) => (Number.isInteger(value) ? undefined : 'must be an integer'),
  position: oneOf(['left', 'right'], 'must be "left" or "right"'),
  consent: flag,
  timeout: (value) => (typeof value === 'number' && value >= 100 ? undefined : 'must be at least 100 ms'),
};

/** Validates options; throws OptionsError naming the first bad field. */
export function resolveOptions(input: unknown, fallbackApiUrl: () => string): ResolvedOptions {
  const options = (input ?? {}) as Record<string, unknown>;
  if (typeof options !== 'object') throw new OptionsError('options', 'must be an object such as { widgetId: "acme" }');
  const { widgetId } = options;
  if (typeof widgetId !== 'string') throw new OptionsError('widgetId', 'is required');
  if (!WIDGET_ID_PATTERN.test(widgetId)) throw new OptionsError('widgetId', 'must be 1–64 letters, digits, "-" or "_", starting with a letter or digit');
  for (const [name, check] of Object.entries(checks)) {
    const problem = options[name] === undefined ? undefined : check(options[name]);
    if (problem) throw new OptionsError(name, problem);
  }
  const { apiUrl, locale, position, launcher = true, zIndex = 2147483000, consent = true, timeout = 10_000 } = options as Partial<WidgetOptions>;
  return {
    widgetId,
    apiUrl: (apiUrl ?? fallbackApiUrl()).replace(/\/+$/, ''),
    launcher,
    zIndex,
    consent,
    timeout,
    ...(locale ? { locale } : {}),
    ...(position ? { position } : {}),
  };
}
