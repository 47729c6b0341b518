/**
 * The widget's one node in the host page: `<omniwidget-root>` with an open shadow root holding all of the UI.
 * Created only when the widget starts (never at import), re-attached if a SPA or Turbo-style navigation
 * replaces the body, and removed without a trace by `unmount()`.
 */
export interface Mounted {
  host: HTMLElement;
  /** Preact renders straight into it: no wrapper element that could take a box in the page's layout. */
  shadow: ShadowRoot;
  /** Adds a stylesheet after the others (a chunk's, when it arrives). */
  addStyles(css: string): void;
  unmount(): void;
}

export function mountHost(doc: Document, css: string): Mounted {
  const host = doc.createElement('omniwidget-root');
  const shadow = host.attachShadow({ mode: 'open' });
  const view = doc.defaultView as (Window & typeof globalThis) | null;
  const addStyles = (text: string) => {
    if (view && 'replaceSync' in view.CSSStyleSheet.prototype && 'adoptedStyleSheets' in shadow) {
      // Constructable stylesheet: allowed under a strict CSP, shared by nothing outside this shadow root.
      const sheet = new view.CSSStyleSheet();
      sheet.replaceSync(text);
      shadow.adoptedStyleSheets = [...shadow.adoptedStyleSheets, sheet];
    } else {
      // Older engines (Safari < 16.4): a <style> inside the shadow root; still scoped, but needs style-src allowance.
      const style = doc.createElement('style');
      style.textContent = text;
      shadow.prepend(style);
    }
  };
  addStyles(css);
  const attach = () => {
    if (!host.isConnected) (doc.body ?? doc.documentElement).append(host);
    if (doc.body) bodyObserver.observe(doc.body, { childList: true });
  };
  // Two shallow observers rather than one on the whole subtree: the page's own DOM churn costs nothing.
  const bodyObserver = new MutationObserver(attach);
  const rootObserver = new MutationObserver(attach);
  rootObserver.observe(doc.documentElement, { childList: true });
  attach();

  return {
    host,
    shadow,
    addStyles,
    unmount() {
      bodyObserver.disconnect();
      rootObserver.disconnect();
      host.remove();
    },
  };
}
