/**
 * omniwidget — the browser SDK. Importing this module does nothing by itself (no DOM, no globals, no requests):
 * safe during server-side rendering. Call `createWidget()` in the browser.
 */
export { createWidget } from './widget.ts';
export { ChatError, ConfigError, MessageError, OmniwidgetError, OptionsError } from './errors.ts';
export type { OmniwidgetErrorCode } from './errors.ts';
export type { WidgetOptions } from './options.ts';
export type { VisitorData, Widget, WidgetEventName, WidgetEvents } from './types.ts';
export type { Channel, ChannelType, WidgetConfig } from '../contract/config.ts';
export type { Locale } from '../contract/wire.ts';
