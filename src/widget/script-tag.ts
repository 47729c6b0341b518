declare const __OMNIWIDGET_CORE__: string;

/**
 * `omniwidget.js`, the file the script tag loads: a classic script of a few hundred bytes. It imports the widget's
 * first chunk (the launcher: `boot.ts`) as a module from beside itself, which imports the rest when it is needed
 * (#11). It defines nothing: the one global, `window.omniwidget`, is the first chunk's to set, and a pre-load stub
 * keeps queueing calls until then. Under a strict CSP the chunks come from the script's own origin, which a
 * `script-src` that allows this file allows too.
 */
((win: Window, doc: Document) => {
  const script = (doc.currentScript as HTMLScriptElement | null) ?? doc.querySelector<HTMLScriptElement>('script[data-widget-id]');
  // The page must never see an exception from us, even on a browser too old for modules.
  const fail = (error: unknown) => console.warn('[omniwidget] could not start:', (error as Error)?.message ?? error);
  try {
    import(/* @vite-ignore */ new URL(__OMNIWIDGET_CORE__, script?.src || doc.baseURI).href).then(({ boot }) => boot(win, script), fail);
  } catch (error) {
    fail(error);
  }
})(window, document);
