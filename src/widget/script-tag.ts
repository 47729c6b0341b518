import { OmniwidgetError } from './errors.ts';
import { boot } from './boot.ts';

// The script-tag entry: the only module that runs on load, and only in the classic-script bundle.
try {
  boot(window, (document.currentScript as HTMLScriptElement | null) ?? document.querySelector<HTMLScriptElement>('script[data-widget-id]'));
} catch (error) {
  // The page must never see an exception from us, even on a browser too old for this bundle.
  console.warn('[omniwidget] could not start:', error instanceof OmniwidgetError ? error.message : error);
}
