import { fill } from '../../contract/fill.ts';
import type { Texts } from '../../contract/texts.ts';

/** A round speech bubble with an ellipsis: reads as "chat" in any language. Lines on a 24×24 grid, `currentColor`. */
const LAUNCHER_ICON = 'M21 11.5a8.5 8.5 0 0 1-12.4 7.6L3 21l1.9-5.5A8.5 8.5 0 1 1 21 11.5zM8.5 11.5h.01M12 11.5h.01M15.5 11.5h.01';
export const CLOSE_ICON = 'M6 6l12 12M18 6 6 18';

export interface LauncherState {
  /** Off with `launcher: false`, while Chaport's own window is open, or with no channel to offer. */
  shown: boolean;
  /** Our panel or Chaport's window is open. */
  open: boolean;
  panelOpen: boolean;
  unread: number;
}

export interface Launcher {
  update(state: LauncherState): void;
}

/**
 * The launcher: one button, drawn with the DOM rather than preact. It is all a page shows until the visitor
 * interacts, so it is all the first chunk renders: preact and the rest of the UI arrive with the panel (#11).
 * `onIntent` fires as the pointer comes over it or it gains focus, so the panel's code loads before the click.
 */
export function createLauncher(root: HTMLElement, t: Texts, onToggle: () => void, onIntent: () => void): Launcher {
  const doc = root.ownerDocument;
  const svg = (path: string) => {
    const icon = doc.createElementNS('http://www.w3.org/2000/svg', 'svg');
    icon.setAttribute('viewBox', '0 0 24 24');
    icon.setAttribute('aria-hidden', 'true');
    // Elements, not innerHTML: a page enforcing Trusted Types refuses markup strings.
    const line = doc.createElementNS('http://www.w3.org/2000/svg', 'path');
    line.setAttribute('d', path);
    icon.append(line);
    return icon;
  };
  const button = doc.createElement('button');
  button.type = 'button';
  button.className = 'launcher';
  button.setAttribute('aria-haspopup', 'dialog');
  const [bubble, cross] = [svg(LAUNCHER_ICON), svg(CLOSE_ICON)];
  const badge = doc.createElement('span');
  badge.className = 'badge';
  badge.setAttribute('aria-hidden', 'true');
  button.append(bubble, cross);
  button.onclick = onToggle;
  // Intent: the panel's code is fetched while the pointer travels to the click (or before the key press).
  button.onpointerenter = button.onfocus = button.ontouchstart = onIntent;

  return {
    update({ shown, open, panelOpen, unread }) {
      if (!shown) return button.remove();
      if (!button.isConnected) root.append(button);
      button.setAttribute('aria-label', unread ? `${t.launcher}. ${fill(t.unread, { count: unread })}` : t.launcher);
      button.setAttribute('aria-expanded', String(open));
      if (panelOpen) button.setAttribute('aria-controls', 'ow-panel');
      else button.removeAttribute('aria-controls');
      bubble.classList.toggle('off', panelOpen);
      cross.classList.toggle('off', !panelOpen);
      badge.textContent = String(unread);
      if (unread) button.append(badge);
      else badge.remove();
    },
  };
}
