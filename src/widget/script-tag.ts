import { boot } from './boot.ts';
import { setChunkBase } from './features/chunks.ts';

/**
 * The script tag's entry, `omniwidget.js`: the first chunk, as one classic script — the launcher, and what it needs
 * before any interaction (#11). It imports the panel, the e-mail form and the chat from beside itself when they are
 * needed (see features/chunks.ts), so they come from the script's own origin, which a CSP allowing the script allows.
 */
const script = (document.currentScript as HTMLScriptElement | null) ?? document.querySelector<HTMLScriptElement>('script[data-widget-id]');
if (script?.src) setChunkBase(script.src);
boot(window, script);
