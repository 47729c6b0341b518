import type { WidgetOptions } from './options.ts';
import type { Widget } from './types.ts';
import { isOmniwidgetError } from './errors.ts';
import { createWidget } from './widget.ts';

declare const __OMNIWIDGET_VERSION__: string;

/** `window.omniwidget`: callable (`omniwidget('open')`) and with the widget's methods (`omniwidget.open()`). */
type Global = ((command: string, ...args: unknown[]) => unknown) & Partial<Widget> & { q?: ArrayLike<unknown>[]; version?: string };

const COMMANDS = ['open', 'close', 'toggle', 'openChannel', 'identify', 'setConsent', 'on', 'destroy'] as const;

/** The script tag's `data-*` attributes and how to read each: text, flag (`"false"` turns it off) or number. */
const ATTRIBUTES = { widgetId: 0, apiUrl: 0, locale: 0, launcher: 1, zIndex: 2, position: 0, consent: 1, timeout: 2 } as const;

/** `data-*` attributes of the script tag, as options. The API defaults to the script's own origin. */
export function optionsFromScript(script: HTMLScriptElement | null): Partial<WidgetOptions> {
  const options: Record<string, unknown> = {};
  if (script?.src) options.apiUrl = new URL(script.src, location.href).origin;
  for (const [name, kind] of Object.entries(ATTRIBUTES)) {
    const value = script?.dataset[name];
    if (value !== undefined) options[name] = kind === 1 ? value !== 'false' : kind === 2 ? Number(value) : value;
  }
  return options;
}

/**
 * Boots the script-tag build: reads the tag's options, replaces the optional pre-load stub with the real global,
 * and replays the calls queued on the stub in order. Loaded twice, the second copy does nothing.
 */
export function boot(win: Window & { omniwidget?: Global }, script: HTMLScriptElement | null): void {
  try {
    install(win, script);
  } catch (error) {
    // The page must never see an exception from us.
    console.warn('[omniwidget] could not start:', isOmniwidgetError(error) ? error.message : error);
  }
}

function install(win: Window & { omniwidget?: Global }, script: HTMLScriptElement | null): void {
  const stub = win.omniwidget;
  if (stub?.version) return;
  const queued = Array.from(stub?.q ?? [], (args) => Array.from(args));
  // `omniwidget('init', {...})` in the queue may supply options in place of (or on top of) data attributes.
  const init = queued.filter(([command]) => command === 'init').map(([, options]) => options as Partial<WidgetOptions>);
  const widget = createWidget(Object.assign(optionsFromScript(script), ...init) as WidgetOptions);

  const call = ((command: string, ...args: unknown[]) => {
    if (command === 'init') return undefined;
    if (!(COMMANDS as readonly string[]).includes(command)) {
      console.warn(`[omniwidget] unknown command "${String(command)}"; use one of: ${COMMANDS.join(', ')}`);
      return undefined;
    }
    const result = (widget[command as (typeof COMMANDS)[number]] as (...a: unknown[]) => unknown)(...args);
    // After destroy() the page is as it was: the one global goes too.
    if (command === 'destroy' && win.omniwidget === call) delete win.omniwidget;
    return result;
  }) as Global;
  for (const command of COMMANDS) (call as unknown as Record<string, unknown>)[command] = (...args: unknown[]) => call(command, ...args);
  call.version = typeof __OMNIWIDGET_VERSION__ === 'string' ? __OMNIWIDGET_VERSION__ : 'dev';
  win.omniwidget = call;
  for (const [command, ...args] of queued) call(command as string, ...args);
}
