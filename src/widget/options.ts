import * as v from 'valibot';
import { LOCALES, type Locale } from '../contract/wire.ts';
import { issueMessage, issuePath } from '../contract/issues.ts';
import { widgetIdSchema } from '../contract/config.ts';
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

const optionsSchema = v.object({
  widgetId: v.pipe(v.string('is required'), widgetIdSchema),
  apiUrl: v.optional(v.pipe(v.string(), v.check((value) => /^https?:\/\/[^/\s]/i.test(value), 'must be an http(s) URL'))),
  locale: v.optional(v.picklist(LOCALES, 'must be "en" or "ru"')),
  launcher: v.optional(v.boolean('must be true or false'), true),
  zIndex: v.optional(v.pipe(v.number('must be an integer'), v.integer('must be an integer')), 2147483000),
  position: v.optional(v.picklist(['left', 'right'], 'must be "left" or "right"')),
  consent: v.optional(v.boolean('must be true or false'), true),
  timeout: v.optional(v.pipe(v.number(), v.minValue(100, 'must be at least 100 ms')), 10_000),
});

/** Validates options with the same schema machinery as the configuration; throws OptionsError naming the first bad field. */
export function resolveOptions(input: unknown, fallbackApiUrl: () => string): ResolvedOptions {
  const result = v.safeParse(optionsSchema, input ?? {});
  if (!result.success) {
    const issue = result.issues[0];
    throw new OptionsError(issuePath(issue) || 'options', issueMessage(issue));
  }
  const { apiUrl, ...rest } = result.output;
  return { ...rest, apiUrl: (apiUrl ?? fallbackApiUrl()).replace(/\/+$/, '') };
}
