/** What went wrong, machine-readable; `message` says it for people, with the widget and URL involved. */
export type OmniwidgetErrorCode =
  | 'invalid_options'
  | 'unsupported_environment'
  | 'config_unavailable'
  | 'config_invalid'
  | 'unknown_channel'
  | 'load_failed'
  | 'presence_unavailable'
  | 'chat_unavailable'
  | 'message_rejected'
  | 'unexpected';

/** Marks the SDK's errors across copies of this module (the script tag's chunks each bundle their own). */
const BRAND = Symbol.for('omniwidget.error');

/**
 * Every error the SDK reports through `widget.on('error', …)`. The SDK never throws into the host page:
 * errors are delivered to `error` listeners (or, with none registered, `console.warn`).
 */
export class OmniwidgetError extends Error {
  override name = 'OmniwidgetError';
  declare readonly [BRAND]: true;
  constructor(
    readonly code: OmniwidgetErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * Whether `error` is one of the SDK's own, whichever copy of this module made it: a chunk of the script tag
 * (a classic script cannot share modules with the chunks it loads) or the npm package.
 */
export const isOmniwidgetError = (error: unknown): error is OmniwidgetError => error instanceof OmniwidgetError || (!!error && (error as Record<symbol, unknown>)[BRAND] === true);

/** Options passed to `createWidget` (or the script tag's data attributes) are invalid. */
export class OptionsError extends OmniwidgetError {
  override name = 'OptionsError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('invalid_options', `Invalid option "${field}": ${message}`);
  }
}

/** The widget's configuration could not be loaded, or is not valid. The page is left untouched. */
export class ConfigError extends OmniwidgetError {
  override name = 'ConfigError';
  constructor(
    code: 'config_unavailable' | 'config_invalid',
    message: string,
    readonly url: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** Chaport's script failed to load or never became ready. The visitor is offered the other channels. */
export class ChatError extends OmniwidgetError {
  override name = 'ChatError';
  constructor(
    message: string,
    readonly scriptUrl: string,
    options?: { cause?: unknown },
  ) {
    super('chat_unavailable', message, options);
  }
}

/** The API refused an e-mail form message (4xx). The visitor's text stays in the form. */
export class MessageError extends OmniwidgetError {
  override name = 'MessageError';
  constructor(
    message: string,
    readonly status: number,
    readonly field?: string,
  ) {
    super('message_rejected', message);
  }
}
