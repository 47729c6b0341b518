import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TEXTS } from '../../contract/texts.ts';
import { widgetConfigSchema } from '../../contract/config.ts';
import { visibleChannels } from './visibility.ts';

const { channels } = v.parse(widgetConfigSchema, {
  id: 'w',
  allowedOrigins: [],
  texts: DEFAULT_TEXTS,
  channels: [
    { id: 'chat', type: 'chaport', appId: 'a'.repeat(24), display: 'hideWhenOffline' },
    { id: 'always', type: 'chaport', appId: 'b'.repeat(24) },
    { id: 'tg', type: 'telegram', username: 'acme_support' },
  ],
});
const ids = (presence: Record<string, boolean | null>, ongoing = false) => visibleChannels(channels, presence, ongoing).map((c) => c.id);

describe('visibleChannels', () => {
  it('hides a hideWhenOffline chat while offline and before the first answer', () => {
    expect(ids({ chat: false })).toEqual(['always', 'tg']);
    expect(ids({})).toEqual(['always', 'tg']);
  });
  it('shows it while online or unknown', () => {
    expect(ids({ chat: true })).toEqual(['chat', 'always', 'tg']);
    expect(ids({ chat: null })).toEqual(['chat', 'always', 'tg']);
  });
  it('always shows it to a visitor with an ongoing conversation', () => {
    expect(ids({ chat: false }, true)).toEqual(['chat', 'always', 'tg']);
  });
});
