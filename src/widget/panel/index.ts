/**
 * The panel's chunk (#11): loaded when the visitor shows intent (pointer over or focus on the launcher) or the site
 * opens the widget, never before. Preact and the panel (picker, chat screen), its stylesheet, the full configuration
 * schema, and the texts a server older than this SDK may lack.
 */
export { attachPanel } from './attach.ts';
export { parseConfig } from '../config/parse.ts';
