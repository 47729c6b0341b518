import { render } from 'preact';
import type { PanelState, View, WidgetUi } from '../ui/model.ts';
import { Panel } from './panel.tsx';

/** The first control of the panel's body: `.body a[href], .body button, …`. */
const FIRST_CONTROL = ['a[href]', 'button', 'input', 'textarea'].map((selector) => `.body ${selector}`).join();

/**
 * Renders the panel into its slot from a view snapshot (called on every store change), and manages focus (WCAG 2.4.3): into the panel when it
 * opens or changes screen, back to the launcher (or the site's own button) when it closes. A closing panel stays
 * on screen for its animation (none under `prefers-reduced-motion`), inert, and goes when the animation ends.
 */
export function renderUi(shadow: ShadowRoot, slot: HTMLElement, ui: WidgetUi): (view: View | null) => void {
  let previous: PanelState | undefined;
  let returnTo: HTMLElement | null = null;
  let chatWasExpanded = false;
  let latest: View | null = null;
  let closing = false;

  const draw = (view: View) => {
    slot.className = closing ? 'slot closing' : 'slot';
    render(view.panel.open || closing ? <Panel view={view} ui={ui} /> : null, slot);
  };
  const closed = () => {
    if (!closing) return;
    closing = false;
    if (latest) draw(latest);
  };

  return (view) => {
    latest = view;
    if (!view) {
      closing = false;
      return render(null, slot);
    }
    const wasFocusedInside = !!shadow.activeElement;
    const { open, screen } = view.panel;
    if (open) closing = false;
    else if (previous?.open && !closing) {
      const element = slot.querySelector<HTMLElement>('.panel');
      if (element) {
        closing = true;
        draw(view);
        // Reduced motion (or an engine without the Web Animations API): no animation runs, so close at once.
        if (!element.getAnimations?.().length) closing = false;
        else {
          element.addEventListener('animationend', closed, { once: true });
          element.addEventListener('animationcancel', closed, { once: true });
        }
      }
    }
    draw(view);
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
