import { render } from 'preact';
import { App } from './app.tsx';
import type { PanelState, View, WidgetUi } from './model.ts';

/** The first control of the panel's body: `.body a[href], .body button, …`. */
const FIRST_CONTROL = ['a[href]', 'button', 'input', 'textarea'].map((selector) => `.body ${selector}`).join();

/**
 * Renders the widget from a view snapshot (called on every store change), and manages focus (WCAG 2.4.3): into the panel when it
 * opens or changes screen, back to the launcher (or the site's own button) when it closes.
 */
export function renderUi(shadow: ShadowRoot, ui: WidgetUi): (view: View | null) => void {
  let previous: PanelState | undefined;
  let returnTo: HTMLElement | null = null;
  let chatWasExpanded = false;
  return (view) => {
    if (!view) return render(null, shadow);
    const wasFocusedInside = !!shadow.activeElement;
    render(<App view={view} ui={ui} />, shadow);
    const { open, screen } = view.panel;
    if (open && (!previous?.open || previous.screen !== screen)) {
      if (!previous?.open) {
        const active = document.activeElement as HTMLElement | null;
        returnTo = active && active !== shadow.host && active !== document.body ? active : null;
      }
      shadow.querySelector<HTMLElement>(FIRST_CONTROL)?.focus();
    } else if (
      // Our panel closed, or Chaport's window did (focus was in its iframe): back to the launcher.
      ((!open && previous?.open) || (chatWasExpanded && !view.chat.expanded)) &&
      (wasFocusedInside || document.activeElement === document.body || !!document.activeElement?.closest('.chaport-container'))
    ) {
      (shadow.querySelector<HTMLElement>('.launcher') ?? returnTo)?.focus();
    }
    previous = view.panel;
    chatWasExpanded = view.chat.expanded;
  };
}
