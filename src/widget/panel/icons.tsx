import type { ChannelType } from '../../contract/config.ts';
import { CLOSE_ICON } from '../ui/launcher.ts';

/** Line icons on a 24×24 grid, drawn with `currentColor`: a few bytes each, no image requests, no CSP needs. */
const paths = {
  chaport: 'M4 5h16v11H9l-5 4z',
  telegram: 'M21 4 3 11l6 2 2 6 3-4 5 4zM9 13l12-9',
  whatsapp: 'M5 19l1.3-3.7A8 8 0 1 1 9 18.7zM9 9c0 3 3 6 6 6',
  viber: 'M8 3h8a4 4 0 0 1 4 4v6a4 4 0 0 1-4 4h-4l-4 4v-4a4 4 0 0 1-4-4V7a4 4 0 0 1 4-4zM13 7a3 3 0 0 1 3 3',
  vk: 'M3 7l4 10h1l4-10M15 7v10M21 7l-6 5 6 5',
  messenger: 'M12 3a9 8.5 0 0 0-5 15.6V22l3.3-1.8A9 8.5 0 1 0 12 3zM7 14l4-4 3 3 4-4',
  email: 'M3 6h18v12H3zM3 6l9 7 9-7',
  phone: 'M5 3h4l2 5-3 2a11 11 0 0 0 6 6l2-3 5 2v4a2 2 0 0 1-2 2A17 17 0 0 1 3 5a2 2 0 0 1 2-2z',
  link: 'M10 14a4 4 0 0 0 6 0l3-3a4 4 0 0 0-6-6l-1 1M14 10a4 4 0 0 0-6 0l-3 3a4 4 0 0 0 6 6l1-1',
  close: CLOSE_ICON,
  back: 'M15 5l-7 7 7 7',
  check: 'M5 12.5l4.5 4.5L19 7.5',
  offline: 'M3 3l18 18M8.5 5.5A7 7 0 0 1 18 10a4.5 4.5 0 0 1 2.4 8.2M16 19H7a5 5 0 0 1-2.3-9.4',
  alert: 'M12 3 2 20h20zM12 10v4M12 17v.5',
} satisfies Record<ChannelType | 'close' | 'back' | 'check' | 'offline' | 'alert', string>;

export type IconName = keyof typeof paths;

export function Icon({ name, class: className }: { name: IconName; class?: string }) {
  return (
    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false" class={className}>
      <path d={paths[name]} />
    </svg>
  );
}
