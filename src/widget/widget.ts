import type { WidgetConfig } from '../contract/config.ts';
import { apiPaths } from '../contract/wire.ts';
import { createApiClient } from './api.ts';
import { isServedConfig } from './config/served.ts';
import { createEmitter } from './emitter.ts';
import { ConfigError, OmniwidgetError, isOmniwidgetError } from './errors.ts';
import { chunkLoader } from './features/chunks.ts';
import { resolveOptions, type ResolvedOptions, type WidgetOptions } from './options.ts';
import { startWidget, type Controller } from './start.ts';
import type { VisitorData, Widget, WidgetEvents } from './types.ts';

/**
 * Creates the widget: fetches its configuration, then puts the launcher on the page. Never throws: a bad option,
 * a failed or invalid configuration, or a non-browser environment leave the page untouched and are reported
 * to `error` listeners (registered right after this call, they still receive it).
 *
 * @example
 * const widget = createWidget({ widgetId: 'acme', apiUrl: 'https://help.acme.com' });
 * widget.on('chat:message', () => console.log('an agent replied'));
 */
export function createWidget(options: WidgetOptions): Widget {
  const events = createEmitter<WidgetEvents>((error, event) => console.error(`[omniwidget] a "${String(event)}" listener threw:`, error));
  const cleanups: (() => void)[] = [];
  const intents: ((c: Controller) => void)[] = [];
  const abort = new AbortController();
  let destroyed = false;
  let ready: WidgetEvents['ready'] | undefined;
  let controller: Controller | undefined;
  let visitor: [VisitorData, string | undefined] | undefined;
  let consent = options?.consent ?? true;

  const report = (error: unknown): void => {
    if (destroyed) return;
    const reported = isOmniwidgetError(error) ? error : new OmniwidgetError('unexpected', `Unexpected failure: ${(error as Error)?.message ?? error}`, { cause: error });
    if (events.has('error')) events.emit('error', reported);
    else console.warn(`[omniwidget] ${reported.message}`);
  };

  /** Every public method goes through here: nothing thrown inside reaches the caller. */
  const guard =
    <A extends unknown[]>(run: (...args: A) => void) =>
    (...args: A): void => {
      if (destroyed) return;
      try {
        run(...args);
      } catch (error) {
        report(error);
      }
    };

  /** Calls made before the configuration arrives wait, in order, and replay once the widget is on the page. */
  const whenStarted = <A extends unknown[]>(run: (c: Controller, ...args: A) => void) =>
    guard((...args: A) => (controller ? run(controller, ...args) : intents.push((c) => run(c, ...args))));

  const widget: Widget = {
    open: whenStarted((c) => c.open()),
    close: whenStarted((c) => c.close()),
    toggle: whenStarted((c) => c.toggle()),
    openChannel: whenStarted((c, channelId: string) => c.openChannel(String(channelId))),
    identify: guard((data: VisitorData, hash?: string) => {
      if (!data || typeof data !== 'object') throw new OmniwidgetError('invalid_options', 'identify() expects an object such as { name, email }');
      visitor = [cleanVisitor(data), typeof hash === 'string' ? hash : undefined];
      controller?.identify(...visitor);
    }),
    setConsent: guard((granted: boolean) => {
      if (consent === !!granted) return;
      consent = !!granted;
      controller?.consentChanged(consent);
      events.emit('consent', { granted: consent });
    }),
    on(event, listener) {
      if (destroyed || typeof listener !== 'function') return () => {};
      // `ready` is a state as much as an event: a listener added after it is told at once.
      if (event === 'ready' && ready) queueMicrotask(() => !destroyed && (listener as (p: NonNullable<typeof ready>) => void)(ready!));
      return events.on(event, listener);
    },
    destroy: guard(() => {
      abort.abort();
      teardown();
      destroyed = true;
      events.clear();
    }),
  };

  if (typeof window === 'undefined' || typeof document === 'undefined') {
    queueMicrotask(() => report(new OmniwidgetError('unsupported_environment', 'createWidget() needs a browser: call it on the client, not during server-side rendering')));
    return widget;
  }

  let resolved: ResolvedOptions;
  try {
    resolved = resolveOptions(options, () => location.origin);
  } catch (error) {
    queueMicrotask(() => report(error));
    return widget;
  }

  const load = chunkLoader();
  /** Undoes everything the widget made; the widget stays callable (and inert) until destroy(). */
  const teardown = () => {
    for (const cleanup of cleanups.splice(0).reverse()) guard(cleanup)();
    controller = undefined;
  };

  void (async () => {
    const api = createApiClient({ apiUrl: resolved.apiUrl, widgetId: resolved.widgetId, timeout: resolved.timeout, signal: abort.signal });
    const configUrl = resolved.apiUrl + apiPaths.config(resolved.widgetId);
    let config: WidgetConfig;
    let validated = false;
    try {
      const json = await api.config();
      if (isServedConfig(json, resolved.widgetId)) config = json;
      else {
        // Not as this SDK's helpdesk serves it: the full schema decides (and names what is wrong) before anything shows.
        const { parseConfig } = await load('panel');
        const parsed = parseConfig(json, resolved.widgetId, configUrl);
        for (const problem of parsed.dropped) report(new ConfigError('config_invalid', `Ignored a channel of widget "${resolved.widgetId}" this SDK does not understand:\n${problem}`, configUrl, 200));
        config = parsed.config;
        validated = true;
      }
      if (!document.body) await new Promise((resolve) => document.addEventListener('DOMContentLoaded', resolve, { once: true }));
    } catch (error) {
      if (!abort.signal.aborted) report(error);
      return;
    }
    if (destroyed) return;
    try {
      controller = startWidget({
        config,
        validated,
        configUrl,
        options: resolved,
        api,
        events,
        load,
        report,
        fail: (error) => {
          teardown();
          report(error);
        },
        cleanups,
        consent: () => consent,
        grantConsent: () => widget.setConsent(true),
      });
    } catch (error) {
      teardown();
      report(error);
      return;
    }
    if (visitor) controller.identify(...visitor);
    ready = { widgetId: config.id, channels: controller.offeredChannelIds() };
    events.emit('ready', ready);
    for (const intent of intents.splice(0)) guard(intent)(controller);
  })();

  return widget;
}

function cleanVisitor(data: VisitorData): VisitorData {
  const clean: VisitorData = {};
  for (const key of ['name', 'email', 'phone', 'notes'] as const) {
    const value = data[key];
    if (typeof value === 'string' && value.trim()) clean[key] = value.trim().slice(0, 500);
  }
  const custom = Object.entries(data.custom ?? {}).filter(([, value]) => ['string', 'number', 'boolean'].includes(typeof value));
  if (custom.length) clean.custom = Object.fromEntries(custom);
  return clean;
}
